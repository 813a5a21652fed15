"""The simulated Ptengine account: dimension values, pages, goals, events, heatmap pages.

Everything here is made up (the doc gives examples, not an account); names follow the
doc's examples where it has them. Weights are relative integers; the model jitters them
per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from sources.ptengine import settings

Options = list[tuple[str, int]]

# --- pages ---------------------------------------------------------------------------

SITE: Final = "https://example.com"


@dataclass(frozen=True)
class Page:
    """A combined page (URL without query) with its original-URL variants."""

    url: str
    title: str
    group: str
    entry_weight: int
    view_weight: int
    variants: tuple[tuple[str, int], ...]


def _page(path: str, title: str, group: str, entry: int, view: int,
          *queries: tuple[str, int]) -> Page:
    url = SITE + path
    return Page(url, f"{title} | Example", group, entry, view,
                ((url, 100), *((url + q, w) for q, w in queries)))


PAGES: Final[tuple[Page, ...]] = (
    _page("/", "Example — Web analytics and experiments", "Home", 300, 160,
          ("?utm_source=google", 25), ("?ref=newsletter", 10)),
    _page("/pricing", "Pricing", "Product", 80, 90, ("?plan=growth", 20)),
    _page("/blog", "Blog", "Blog", 60, 60),
    _page("/features", "Features", "Product", 40, 70),
    _page("/features/heatmap", "Heatmap", "Product", 25, 40),
    _page("/features/ab-testing", "A/B testing", "Product", 20, 35),
    _page("/signup", "Sign up", "Conversion", 20, 45, ("?from=pricing", 30)),
    _page("/signup/thanks", "Welcome aboard", "Conversion", 0, 12),
    _page("/login", "Log in", "App", 45, 50, ("?from=signup", 15)),
    _page("/contact", "Contact us", "Company", 8, 14),
    _page("/about", "About us", "Company", 6, 10),
    _page("/careers", "Careers", "Company", 5, 6),
    _page("/customers", "Customer stories", "Company", 6, 12),
    _page("/docs", "Documentation", "Docs", 25, 40),
    _page("/docs/getting-started", "Getting started", "Docs", 15, 30),
    _page("/docs/api", "Open API reference", "Docs", 12, 25),
    _page("/blog/heatmap-guide", "A practical guide to heatmaps", "Blog", 35, 30),
    _page("/blog/conversion-tips", "10 conversion tips", "Blog", 25, 22),
    _page("/blog/ab-testing-101", "A/B testing 101", "Blog", 20, 18),
    _page("/blog/release-notes", "Release notes", "Blog", 8, 10),
    _page("/products", "Products", "Shop", 30, 55, ("?sort=popular", 20)),
    _page("/products/widget-pro", "Widget Pro", "Shop", 15, 30),
    _page("/products/widget-lite", "Widget Lite", "Shop", 10, 22),
    _page("/cart", "Cart", "Shop", 2, 25),
    _page("/checkout", "Checkout", "Shop", 0, 18),
    _page("/checkout/complete", "Thank you for your order", "Shop", 0, 8),
    _page("/whitepaper", "Whitepaper: the state of CRO", "Conversion", 12, 14),
    _page("/whitepaper/thanks", "Download your whitepaper", "Conversion", 0, 5),
    _page("/privacy", "Privacy policy", "Legal", 2, 4),
    _page("/terms", "Terms of service", "Legal", 1, 3),
)
PAGE_BY_URL: Final = {p.url: p for p in PAGES}

# heatmap pages: which ones were scanned for blocks / elements (4008 / 4016 otherwise)
HEATMAP_PAGES: Final[dict[str, dict[str, bool]]] = {
    f"{SITE}/": {"blocks": True, "elements": True},
    f"{SITE}/pricing": {"blocks": True, "elements": False},
    f"{SITE}/blog": {"blocks": False, "elements": False},
}
HEATMAP_BLOCKS: Final[dict[str, tuple[str, ...]]] = {
    f"{SITE}/": ("Hero banner", "Feature highlights", "Customer logos", "Testimonials",
                 "Pricing teaser", "Footer CTA"),
    f"{SITE}/pricing": ("Plan comparison", "FAQ", "Enterprise contact", "Footer CTA"),
}
HEATMAP_ELEMENTS: Final[dict[str, tuple[str, ...]]] = {
    f"{SITE}/": ("Signup button", "Hero CTA", "Pricing link", "Blog link", "Demo video play"),
}

# --- dimension tree ------------------------------------------------------------------


@dataclass(frozen=True)
class Dim:
    """A categorical partition of visits.

    Attributes:
        parent: the dimension this one splits (``None``: it splits all visits).
        options: the categories (with weights) under each parent category; a parent
            category without an entry has no children (e.g. only ``Search`` visits have
            a search engine).
    """

    name: str
    parent: str | None
    options: dict[str | None, Options]


def _one(values: dict[str, str]) -> dict[str | None, Options]:
    return {parent: [(child, 1)] for parent, child in values.items()}


def _weighted(field: str, *weights: int) -> dict[str | None, Options]:
    """A root partition over a fixed filter field's values (settings), with weights."""
    return {None: list(zip(settings.FIXED_FILTER_VALUES[field], weights, strict=True))}


DEVICE_TYPES: Final = settings.FIXED_FILTER_VALUES["deviceType"]

_COUNTRIES: Options = [
    ("Japan", 400), ("China", 120), ("United States", 100), ("Taiwan", 50),
    ("South Korea", 40), ("Hong Kong", 30), ("Singapore", 30), ("Thailand", 25),
    ("Vietnam", 20), ("United Kingdom", 20), ("Germany", 20), ("France", 15), ("Canada", 15),
    ("Australia", 15), ("India", 15), ("Indonesia", 10), ("Philippines", 10),
    ("Malaysia", 10), ("Brazil", 8), ("Netherlands", 7), ("Spain", 6), ("Jamaica", 3),
]
_STATES: dict[str | None, Options] = {
    "Japan": [("Tokyo", 45), ("Osaka", 18), ("Kanagawa", 12), ("Aichi", 9), ("Fukuoka", 8),
              ("Hokkaido", 8)],
    "China": [("Shanghai", 35), ("Beijing", 30), ("Guangdong", 25), ("Zhejiang", 10)],
    "United States": [("California", 35), ("New York", 25), ("Texas", 20), ("Washington", 20)],
    "South Korea": [("Seoul", 80), ("Busan", 20)],
    "Vietnam": [("Ho Chi Minh City", 60), ("Hanoi", 40)],
    "United Kingdom": [("England", 85), ("Scotland", 15)],
    "Germany": [("Bavaria", 60), ("Berlin", 40)],
    "Canada": [("Ontario", 60), ("British Columbia", 40)],
    "Australia": [("New South Wales", 55), ("Victoria", 45)],
    "India": [("Maharashtra", 50), ("Karnataka", 50)],
    **_one({"Taiwan": "Taipei", "Hong Kong": "Hong Kong", "Singapore": "Singapore",
            "Thailand": "Bangkok", "France": "Île-de-France", "Indonesia": "Jakarta",
            "Philippines": "Metro Manila", "Malaysia": "Kuala Lumpur", "Brazil": "São Paulo",
            "Netherlands": "North Holland", "Spain": "Madrid", "Jamaica": "Kingston"}),
}

DIMS: Final[dict[str, Dim]] = {d.name: d for d in [
    Dim("deviceType", None, _weighted("deviceType", 52, 40, 8)),
    Dim("os", "deviceType", {
        "PC": [("Windows", 58), ("Mac OS X", 34), ("Linux", 4), ("Chrome OS", 4)],
        "Mobile": [("iOS", 58), ("Android", 42)],
        "Tablet": [("iPadOS", 70), ("Android", 30)],
    }),
    Dim("osVersion", "os", {
        "Windows": [("Windows 10", 55), ("Windows 11", 45)],
        "Mac OS X": [("Mac OS X 10.15.7", 70), ("macOS 14.4", 30)],
        "Linux": [("Linux x86_64", 1)],
        "Chrome OS": [("Chrome OS 120", 1)],
        "iOS": [("iOS 17.0", 60), ("iOS 16.6", 25), ("iOS 18.1", 15)],
        "Android": [("Android 14", 50), ("Android 13", 30), ("Android 12", 20)],
        "iPadOS": [("iPadOS 17", 70), ("iPadOS 16", 30)],
    }),
    Dim("browser", "deviceType", {
        "PC": [("Chrome", 62), ("Edge", 14), ("Safari", 14), ("Firefox", 10)],
        "Mobile": [("Mobile Safari", 55), ("Chrome Mobile", 38), ("Samsung Internet", 7)],
        "Tablet": [("Mobile Safari", 70), ("Chrome", 30)],
    }),
    Dim("browserVersion", "browser", {
        "Chrome": [("Chrome 124.0.0", 60), ("Chrome 123.0.0", 40)],
        "Edge": [("Edge 146.0.0", 1)],
        "Safari": [("Safari 17.4", 1)],
        "Firefox": [("Firefox 125.0", 1)],
        "Mobile Safari": [("Mobile Safari 17.4", 70), ("Mobile Safari 13.0.3", 30)],
        "Chrome Mobile": [("Chrome Mobile 124.0.0", 1)],
        "Samsung Internet": [("Samsung Internet 24.0", 1)],
    }),
    Dim("resolution", "deviceType", {
        "PC": [("1920x1080", 45), ("1440x900", 20), ("1366x768", 15), ("2560x1440", 12),
               ("1536x864", 8)],
        "Mobile": [("390x844", 40), ("393x873", 30), ("375x667", 15), ("412x915", 15)],
        "Tablet": [("820x1180", 50), ("768x1024", 50)],
    }),
    Dim("brand", "deviceType", {
        "Mobile": [("Apple", 58), ("Samsung", 20), ("Google", 10), ("Sony", 6), ("Sharp", 6)],
        "Tablet": [("Apple", 70), ("Samsung", 20), ("Lenovo", 10)],
    }),
    Dim("country", None, {None: _COUNTRIES}),
    Dim("state", "country", _STATES),
    Dim("sourceType", None, _weighted("sourceType", 40, 25, 14, 11, 7, 3)),
    Dim("search", "sourceType", {"Search": [("google", 78), ("bing", 10), ("yahoo", 8),
                                            ("duckduckgo", 4)]}),
    Dim("socialMedia", "sourceType", {"Social": [("facebook", 35), ("x", 30), ("instagram", 20),
                                                 ("linkedin", 15)]}),
    Dim("socialUrl", "socialMedia", {
        "facebook": [("https://www.facebook.com/", 1)],
        "x": [("https://x.com/", 70), ("https://t.co/", 30)],
        "instagram": [("https://www.instagram.com/", 1)],
        "linkedin": [("https://www.linkedin.com/", 1)],
    }),
    Dim("referral", "sourceType", {"Referral": [("www.muji.com", 30),
                                                ("news.ycombinator.com", 25), ("qiita.com", 25),
                                                ("zenn.dev", 20)]}),
    Dim("referralUrl", "referral", {
        "www.muji.com": [("https://www.muji.com/", 60), ("https://www.muji.com/jp/", 40)],
        "news.ycombinator.com": [("https://news.ycombinator.com/item?id=40000001", 1)],
        "qiita.com": [("https://qiita.com/tags/heatmap", 1)],
        "zenn.dev": [("https://zenn.dev/articles/ab-testing", 1)],
    }),
    Dim("aiName", "sourceType", {"AISearch": [("ChatGPT", 60), ("Perplexity", 25),
                                              ("Gemini", 10), ("Copilot", 5)]}),
    Dim("campaignUrl", "sourceType", {"Campaign": [("https://www.google.com/", 50),
                                                   ("https://www.facebook.com/", 30),
                                                   ("https://mail.example.com/", 20)]}),
    Dim("adSource", "sourceType", {"Campaign": [("google", 55), ("facebook", 30),
                                                ("newsletter", 15)]}),
    Dim("adName", "sourceType", {"Campaign": [("spring_sale_2026", 40),
                                              ("brand_awareness_q1", 25),
                                              ("retargeting_jp", 20), ("summer_sale", 15)]}),
    Dim("adMedium", "sourceType", {"Campaign": [("cpc", 60), ("social", 25), ("email", 15)]}),
    Dim("adTerm", "sourceType", {"Campaign": [("heatmap tool", 50), ("ab testing", 30),
                                              ("website analytics", 20)]}),
    Dim("adContent", "sourceType", {"Campaign": [("banner_a", 50), ("banner_b", 30),
                                                 ("text_link", 20)]}),
    # special splits (see model.py): new/returning and bounce/non-bounce visits
    Dim("visitType", None, _weighted("visitType", 1, 1)),
    Dim("exitType", None, _weighted("exitType", 1, 1)),
    Dim("entryCombinedPages", None, {None: [(p.url, p.entry_weight) for p in PAGES
                                            if p.entry_weight]}),
    Dim("entryOriginalPages", "entryCombinedPages", {p.url: list(p.variants) for p in PAGES}),
    Dim("hour", None, {None: [(f"{h:02d}", w) for h, w in enumerate(
        [20, 12, 8, 6, 6, 10, 20, 40, 65, 80, 90, 92, 85, 88, 90, 88, 84, 78, 72, 70, 64, 52,
         40, 28])]}),
]}

# data-center dimension names that are another partition under a different name
DIM_ALIASES: Final = {"campaign": "adName"}

# filter / event-dimension names (§2.1, §2.3) -> partition
FILTER_DIMS: Final = {
    "deviceType": "deviceType", "sourceType": "sourceType", "visitType": "visitType",
    "exitType": "exitType", "os": "os", "osVersion": "osVersion", "browser": "browser",
    "browserVersion": "browserVersion", "screenResolution": "resolution",
    "deviceBrand": "brand", "country": "country", "region": "state",
    "searchEngine": "search", "socialNetwork": "socialMedia", "socialUrl": "socialUrl",
    "aiName": "aiName", "referralSource": "referral", "referralUrl": "referralUrl",
    "campaignUrl": "campaignUrl", "utmCampaign": "adName", "utmSource": "adSource",
    "utmMedium": "adMedium", "utmTerm": "adTerm", "utmContent": "adContent",
    "combinedPages": "entryCombinedPages", "originalPages": "entryOriginalPages",
}

# --- conversion goals ----------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    """A conversion goal.

    Attributes:
        rate: completions per visit, as a (low, high) per-mille range drawn per day.
        unit: value of one completion, (low, high) drawn per day (negative: a loss goal).
        steps: the funnel's step pages.
    """

    id: str
    name: str
    rate: tuple[int, int]
    unit: tuple[int, int]
    steps: tuple[str, ...]

    @property
    def negative(self) -> bool:
        """A loss goal (value < 0)."""
        return self.unit[1] < 0


GOALS: Final[tuple[Goal, ...]] = (
    Goal("1753350579776", "ptmind signup", (20, 40), (0, 0),
         (f"{SITE}/", f"{SITE}/signup", f"{SITE}/signup/thanks")),
    Goal("1753350579999", "Purchase complete", (10, 25), (4000, 6000),
         (f"{SITE}/products", f"{SITE}/cart", f"{SITE}/checkout", f"{SITE}/checkout/complete")),
    Goal("1753350580123", "Download whitepaper", (8, 20), (0, 0),
         (f"{SITE}/whitepaper", f"{SITE}/whitepaper/thanks")),
    Goal("1753350580456", "Cart abandoned", (20, 40), (-1500, -500),
         (f"{SITE}/cart", f"{SITE}/checkout")),
)
GOAL_BY_ID: Final = {g.id: g for g in GOALS}
# events whose sessions always complete a goal (the rest: in proportion to the goal's rate)
EVENT_GOALS: Final = {("signup", GOALS[0].id), ("purchase", GOALS[1].id)}
GOAL_BY_NAME: Final = {g.name: g for g in GOALS}
FUNNEL_ENTRY_URLS: Final = (f"{SITE}/", f"{SITE}/blog/conversion-tips", f"{SITE}/pricing",
                            f"{SITE}/features")

# --- events --------------------------------------------------------------------------

EVENTS: Final[dict[str, dict[str, Options]]] = {
    "purchase": {
        "price": [("100", 20), ("200", 30), ("500", 25), ("1000", 15), ("2000", 10)],
        "currency": [("JPY", 70), ("USD", 25), ("EUR", 5)],
    },
    "add_to_cart": {
        "qty": [("1", 60), ("2", 25), ("3", 10), ("5", 5)],
        "price": [("100", 25), ("200", 30), ("500", 25), ("1000", 20)],
    },
    "gallery_item_impression": {
        "position": [("home", 40), ("category", 30), ("search", 20), ("product", 10)],
        "category": [("shoes", 45), ("bags", 35), ("accessories", 20)],
    },
    "signup": {},
    "video_play": {"position": [("home", 70), ("product", 30)]},
}
EVENT_PROPERTIES: Final = tuple(dict.fromkeys(p for props in EVENTS.values() for p in props))
NOT_SET: Final = "(not set)"
