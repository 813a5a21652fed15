"""Labels, descriptions and error texts in EN (the doc's wording), ZH and JP."""

from __future__ import annotations

from typing import Final

from sources.ptengine import settings

# field -> (label, description) per language; EN texts are the doc's where it has them
Texts = dict[str, dict[str, tuple[str, str]]]


def _texts(en: dict[str, tuple[str, str]], zh: dict[str, tuple[str, str]],
           ja: dict[str, tuple[str, str]]) -> Texts:
    return {field: {"EN": en[field], "ZH": zh[field], "JP": ja[field]} for field in en}


SITE: Final[Texts] = _texts({  # data-center metrics and table columns
    "visits": (
        "Visits",
        "The number of times a site has been visited, a visitor may visit multiple times, "
        "browsing multiple pages at a time.",
    ),
    "users": (
        "Unique visitors (UV)",
        "The number of visitors who visited the site during the time. A visitor who comes to the "
        "site multiple times will count as 1 visitor.",
    ),
    "pageView": ("Page views (PV)", "The number of times the page has been viewed."),
    "newVisitsRate": (
        "% New visits",
        "The percentage of visits that first time come to the site relative to the total number "
        "of visits.",
    ),
    "returnVisitsRate": (
        "% Returning visits",
        "The percentage of visits that have visited the site before relative to the total number "
        "of visits.",
    ),
    "avgPageView": (
        "PV / UV",
        "The average pageviews a visitor viewed your pages. You can know how deep a visitor "
        "visits the site.",
    ),
    "avgVisits": (
        "Visits / UV",
        "The average times a visitor visits the site. You can know if most visitors will back to "
        "the site.",
    ),
    "avgVisitDuration": (
        "Visit duration",
        "The average duration of visits on the site. You can know if the site content attracts "
        "visitors to stay longer.",
    ),
    "avgLoadTime": (
        "Avg. page load time",
        "The average time the page loaded. The longer the load time, the more likely to lose "
        "visitors.",
    ),
    "bounceRate": (
        "% Bounce",
        "The percentage of visits that viewed only 1 page then left. You can know if the landing "
        "page attracts users to visit further pages.",
    ),
    "conversions": (
        "# Completions",
        "The number of visits that completed the specific conversion.",
    ),
    "conversionRate": (
        "% Conversion",
        "The percentage of visits that completed the specific conversion. Conversion rate = "
        "conversions / total visits. A higher conversion rate means this type of visit has better "
        "performance.",
    ),
    "conversionValue": (
        "Conversion value",
        "The total value of completed conversions (revenue plus loss).",
    ),
    "entrances": ("Entrances", "The number of visits that the page was visited as a landing page."),
    "avgPageVisits": (
        "Avg. pageviews",
        "The average number of pages visited after entering from this page.",
    ),
    "avgTimeOnPage": ("Avg. time on page", "The average time visitors spent on the page."),
    "exitRate": ("% Exit", "The percentage of page views that were the last of their visit."),
}, zh={
    "visits": ("访问次数", "网站被访问的次数。"),
    "users": ("独立访客 (UV)", "期间内访问网站的访客数。"),
    "pageView": ("浏览量 (PV)", "页面被浏览的次数。"),
    "newVisitsRate": ("新访问占比", "首次访问占总访问的比例。"),
    "returnVisitsRate": ("回访占比", "回访占总访问的比例。"),
    "avgPageView": ("人均浏览量", "每位访客的平均浏览量。"),
    "avgVisits": ("人均访问次数", "每位访客的平均访问次数。"),
    "avgVisitDuration": ("平均访问时长", "访问的平均时长。"),
    "avgLoadTime": ("平均加载时间", "页面的平均加载时间。"),
    "bounceRate": ("跳出率", "只浏览 1 个页面就离开的访问占比。"),
    "conversions": ("转化数", "完成指定转化的访问数。"),
    "conversionRate": ("转化率", "完成指定转化的访问占比。"),
    "conversionValue": ("转化价值", "完成转化的总价值。"),
    "entrances": ("入口次数", "以该页面为着陆页的访问数。"),
    "avgPageVisits": ("平均浏览页数", "从该页面进入后的平均浏览页数。"),
    "avgTimeOnPage": ("平均停留时间", "访客在页面上的平均停留时间。"),
    "exitRate": ("退出率", "作为访问最后一页的浏览占比。"),
}, ja={
    "visits": ("訪問数", "サイトが訪問された回数。"),
    "users": ("ユニークユーザー (UV)", "期間中にサイトを訪れた訪問者数。"),
    "pageView": ("ページビュー (PV)", "ページが閲覧された回数。"),
    "newVisitsRate": ("新規訪問率", "初回訪問が全訪問に占める割合。"),
    "returnVisitsRate": ("再訪問率", "再訪問が全訪問に占める割合。"),
    "avgPageView": ("PV / UV", "訪問者あたりの平均ページビュー。"),
    "avgVisits": ("訪問数 / UV", "訪問者あたりの平均訪問回数。"),
    "avgVisitDuration": ("平均滞在時間", "訪問の平均滞在時間。"),
    "avgLoadTime": ("平均読み込み時間", "ページの平均読み込み時間。"),
    "bounceRate": ("直帰率", "1 ページだけ見て離脱した訪問の割合。"),
    "conversions": ("完了数", "指定のコンバージョンを完了した訪問数。"),
    "conversionRate": ("コンバージョン率", "指定のコンバージョンを完了した訪問の割合。"),
    "conversionValue": ("コンバージョン価値", "完了したコンバージョンの合計価値。"),
    "entrances": ("入口数", "このページをランディングページとした訪問数。"),
    "avgPageVisits": ("平均閲覧ページ数", "このページから入った後の平均閲覧ページ数。"),
    "avgTimeOnPage": ("平均ページ滞在時間", "ページでの平均滞在時間。"),
    "exitRate": ("離脱率", "訪問の最後のページとなった閲覧の割合。"),
})


HEATMAP_PAGE: Final[Texts] = _texts({  # heatmap page metrics
    "visits": ("Visits", "Number of visits that viewed the page."),
    "pv": ("Page Views (PV)", "Number of times the page was viewed."),
    "uv": ("Unique Visitors (UV)", "Number of unique visitors who viewed the page."),
    "newVisitsRate": ("New Visits Rate", "Percentage of new visits that viewed the page."),
    "entrances": ("Entrances", "Number of visits where this page was the landing page."),
    "fvRate": (
        "FV Rate",
        "Percentage of visitors who didn't scroll, convert, or navigate after entering.",
    ),
    "timeOnPage": ("Time on Page", "Average time spent on the page."),
    "clicks": ("Clicks", "Total clicks on the page, regardless of whether the target is a link."),
    "clickRate": ("Click Rate", "Clicks per PV."),
    "ctaClicks": ("CTA Clicks", "Clicks on key CTAs on the page."),
    "ctaClickRate": ("CTA Click Rate", "CTA clicks / PV."),
    "bounceRate": (
        "Bounce Rate",
        "Percentage of visitors who entered through this page and left without visiting any other "
        "page.",
    ),
    "avgPageViews": (
        "Avg. Page Views",
        "Average number of pages viewed by visitors who landed on this page.",
    ),
    "completions": (
        "Completions",
        "Number of visits that viewed this page and completed a conversion.",
    ),
    "conversionRate": (
        "Conversion Rate",
        "Percentage of visits that completed a conversion after viewing this page.",
    ),
}, zh={
    "visits": ("访问次数", "浏览该页面的访问数。"),
    "pv": ("浏览量 (PV)", "页面被浏览的次数。"),
    "uv": ("独立访客 (UV)", "浏览该页面的独立访客数。"),
    "newVisitsRate": ("新访问占比", "浏览该页面的新访问占比。"),
    "entrances": ("入口次数", "以该页面为着陆页的访问数。"),
    "fvRate": ("首屏流失率", "进入后未滚动、未转化、未跳转的访客占比。"),
    "timeOnPage": ("停留时间", "页面的平均停留时间。"),
    "clicks": ("点击数", "页面上的总点击数。"),
    "clickRate": ("点击率", "每次浏览的点击数。"),
    "ctaClicks": ("CTA 点击数", "页面关键 CTA 的点击数。"),
    "ctaClickRate": ("CTA 点击率", "CTA 点击数 / PV。"),
    "bounceRate": ("跳出率", "从该页面进入且未访问其他页面就离开的访客占比。"),
    "avgPageViews": ("平均浏览页数", "从该页面进入的访客平均浏览页数。"),
    "completions": ("转化数", "浏览该页面并完成转化的访问数。"),
    "conversionRate": ("转化率", "浏览该页面后完成转化的访问占比。"),
}, ja={
    "visits": ("訪問数", "ページを閲覧した訪問数。"),
    "pv": ("ページビュー (PV)", "ページが閲覧された回数。"),
    "uv": ("ユニークユーザー (UV)", "ページを閲覧したユニークユーザー数。"),
    "newVisitsRate": ("新規訪問率", "ページを閲覧した新規訪問の割合。"),
    "entrances": ("入口数", "このページがランディングページだった訪問数。"),
    "fvRate": ("FV 離脱率", "流入後にスクロール・CV・遷移をしなかった訪問者の割合。"),
    "timeOnPage": ("滞在時間", "ページの平均滞在時間。"),
    "clicks": ("クリック数", "ページ上の総クリック数。"),
    "clickRate": ("クリック率", "PV あたりのクリック数。"),
    "ctaClicks": ("CTA クリック数", "ページ上の主要 CTA のクリック数。"),
    "ctaClickRate": ("CTA クリック率", "CTA クリック数 / PV。"),
    "bounceRate": ("直帰率", "このページから流入し他のページを見ずに離脱した訪問者の割合。"),
    "avgPageViews": ("平均閲覧ページ数", "このページから流入した訪問者の平均閲覧ページ数。"),
    "completions": ("完了数", "このページを閲覧しコンバージョンした訪問数。"),
    "conversionRate": ("コンバージョン率", "このページ閲覧後にコンバージョンした訪問の割合。"),
})


HEATMAP_BLOCK: Final[Texts] = _texts({  # heatmap block metrics
    "impression": ("Impression", "PVs where users started seeing the current block."),
    "impressionRate": (
        "Impression Rate",
        "Share of PVs where users started seeing the current block.",
    ),
    "avgDuration": (
        "Avg. Dwell Time",
        "Average dwell time on this block after users stop scrolling.",
    ),
    "dropoff": (
        "Dropoff",
        "PVs that left the current block without clicking through or converting.",
    ),
    "dropoffRate": ("Dropoff Rate", "Share of PVs that left the current block."),
    "completions": (
        "Completions",
        "Visits that stayed on a content block for a specific time and completed a conversion.",
    ),
    "conversionRate": (
        "Conversion Rate",
        "Share of visits with conversion among visits that stayed on a block for a specific time.",
    ),
}, zh={
    "impression": ("曝光", "开始看到该区块的浏览数。"),
    "impressionRate": ("曝光率", "开始看到该区块的浏览占比。"),
    "avgDuration": ("平均停留时间", "停止滚动后在该区块的平均停留时间。"),
    "dropoff": ("流失", "在该区块离开的浏览数。"),
    "dropoffRate": ("流失率", "在该区块离开的浏览占比。"),
    "completions": ("转化数", "在区块停留指定时间并完成转化的访问数。"),
    "conversionRate": ("转化率", "在区块停留的访问中完成转化的占比。"),
}, ja={
    "impression": ("表示数", "このブロックが表示された PV 数。"),
    "impressionRate": ("表示率", "このブロックが表示された PV の割合。"),
    "avgDuration": ("平均滞在時間", "スクロール停止後のこのブロックでの平均滞在時間。"),
    "dropoff": ("離脱数", "このブロックで離脱した PV 数。"),
    "dropoffRate": ("離脱率", "このブロックで離脱した PV の割合。"),
    "completions": ("完了数", "ブロックに一定時間滞在しコンバージョンした訪問数。"),
    "conversionRate": ("コンバージョン率", "ブロックに滞在した訪問のうちコンバージョンした割合。"),
})


HEATMAP_ELEMENT: Final[Texts] = _texts({  # heatmap element metrics
    "impression": ("Impression", "PVs where users saw the current element."),
    "impressionRate": ("Impression Rate", "Share of PVs where users saw the current element."),
    "click": ("Click", "Number of clicks on the current element."),
    "clickRate": ("Click Rate", "Clicks ÷ impressions."),
    "completions": ("Completions", "Visits that clicked an element and completed a conversion."),
    "conversionRate": (
        "Conversion Rate",
        "Share of visits with conversion among visits that clicked the element.",
    ),
}, zh={
    "impression": ("曝光", "看到该元素的浏览数。"),
    "impressionRate": ("曝光率", "看到该元素的浏览占比。"),
    "click": ("点击", "该元素的点击数。"),
    "clickRate": ("点击率", "点击数 ÷ 曝光数。"),
    "completions": ("转化数", "点击元素并完成转化的访问数。"),
    "conversionRate": ("转化率", "点击元素的访问中完成转化的占比。"),
}, ja={
    "impression": ("表示数", "この要素が表示された PV 数。"),
    "impressionRate": ("表示率", "この要素が表示された PV の割合。"),
    "click": ("クリック", "この要素のクリック数。"),
    "clickRate": ("クリック率", "クリック数 ÷ 表示数。"),
    "completions": ("完了数", "要素をクリックしコンバージョンした訪問数。"),
    "conversionRate": ("コンバージョン率", "要素をクリックした訪問のうちコンバージョンした割合。"),
})


EVENT_METRICS: Final[Texts] = _texts({  # event metrics
    "eventCount": ("Events", "Number of times the event was triggered."),
    "sessions": ("Sessions", "Number of sessions in which the event was triggered."),
}, zh={
    "eventCount": ("事件数", "事件被触发的次数。"),
    "sessions": ("会话数", "触发该事件的会话数。"),
}, ja={
    "eventCount": ("イベント数", "イベントが発生した回数。"),
    "sessions": ("セッション数", "イベントが発生したセッション数。"),
})


CONVERSION: Final[dict[str, dict[str, str]]] = {
    "conversions": {"EN": "Completions", "ZH": "转化数", "JP": "完了数"},
    "conversionRate": {"EN": "Conversion rate", "ZH": "转化率", "JP": "コンバージョン率"},
    "conversionValue": {"EN": "Conversion value", "ZH": "转化价值", "JP": "コンバージョン価値"},
    "revenue": {"EN": "Revenue", "ZH": "收益", "JP": "収益"},
    "loss": {"EN": "Loss", "ZH": "损失", "JP": "損失"},
}

# event dimension -> (category, EN label, ZH label, JP label); descriptions are "<label>."
EVENT_DIMENSIONS: Final[dict[str, tuple[str, str, str, str]]] = {
    "eventName": ("event", "Event Name", "事件名称", "イベント名"),
    "visitType": ("visit", "Visit type", "访问类型", "訪問タイプ"),
    "exitType": ("visit", "Exit type", "退出类型", "離脱タイプ"),
    "combinedPages": ("page", "Entry page", "入口页面", "入口ページ"),
    "conversionName": ("conversion", "Conversion Name", "转化名称", "コンバージョン名"),
    "day": ("time", "Date", "日期", "日付"),
    "hour": ("time", "Hour", "小时", "時間"),
    "week": ("time", "Week", "周", "週"),
    "month": ("time", "Month", "月", "月"),
    "sourceType": ("source", "Source type", "来源类型", "流入元タイプ"),
    "campaignUrl": ("source", "Campaign URL", "广告链接", "キャンペーン URL"),
    "referralSource": ("source", "Referral Website", "引荐网站", "参照元サイト"),
    "referralUrl": ("source", "Referral URL", "引荐链接", "参照元 URL"),
    "searchEngine": ("source", "Search", "搜索引擎", "検索エンジン"),
    "socialNetwork": ("source", "Social Media", "社交媒体", "ソーシャルメディア"),
    "socialUrl": ("source", "Social URL", "社交链接", "ソーシャル URL"),
    "aiName": ("source", "AI Search", "AI 搜索", "AI 検索"),
    "utmCampaign": ("campaign", "Campaign name", "广告系列名称", "キャンペーン名"),
    "utmSource": ("campaign", "Source", "来源", "ソース"),
    "utmMedium": ("campaign", "Medium", "媒介", "メディア"),
    "utmContent": ("campaign", "Content", "内容", "コンテンツ"),
    "utmTerm": ("campaign", "Term", "关键词", "キーワード"),
    "deviceType": ("device", "Device Type", "设备类型", "デバイスタイプ"),
    "deviceBrand": ("device", "Brand", "品牌", "ブランド"),
    "os": ("device", "OS", "操作系统", "OS"),
    "osVersion": ("device", "OS Version", "操作系统版本", "OS バージョン"),
    "browser": ("device", "Browser", "浏览器", "ブラウザ"),
    "browserVersion": ("device", "Browser Version", "浏览器版本", "ブラウザバージョン"),
    "screenResolution": ("device", "Resolution", "分辨率", "解像度"),
    "country": ("geography", "Country", "国家/地区", "国/地域"),
    "region": ("geography", "State / City", "省/市", "都道府県/市"),
}
# the doc's own descriptions where it gives one
EVENT_DIMENSION_DESCRIPTIONS: Final = {"eventName": "Name of the event.", "country": "Country."}

ERRORS: Final[dict[int, dict[str, str]]] = {
    4001: {
        "ZH": "无效的 queryType",
        "JP": "queryType が無効です",
    },
    4002: {
        "ZH": "日期格式无效，必须为 YYYY-MM-DD 或 YYYY/MM/DD",
        "JP": "日付形式が無効です。YYYY-MM-DD または YYYY/MM/DD で指定してください",
    },
    4003: {
        "ZH": "查询日期超出套餐的数据保留期限",
        "JP": "照会日がプランのデータ保持期間を超えています",
    },
    4006: {
        "ZH": "page_insight 类型需要 funName",
        "JP": "page_insight には funName が必要です",
    },
    4007: {
        "ZH": "block_metrics 需要具体的 deviceType (PC/MOBILE/TABLET)，不支持 ALL",
        "JP": "block_metrics には PC/MOBILE/TABLET の deviceType が必要です (ALL 不可)",
    },
    4008: {
        "ZH": "页面区块未配置，请先在产品中扫描页面",
        "JP": "ページのブロックが未設定です。先に製品でページをスキャンしてください",
    },
    4009: {
        "ZH": "element_metrics 需要具体的 deviceType (PC/MOBILE/TABLET)，不支持 ALL",
        "JP": "element_metrics には PC/MOBILE/TABLET の deviceType が必要です (ALL 不可)",
    },
    4010: {
        "ZH": "缺少 x-api-key 请求头",
        "JP": "x-api-key ヘッダーがありません",
    },
    4011: {
        "ZH": "无效的 API Key",
        "JP": "API Key が無効です",
    },
    4012: {
        "ZH": "没有匹配的转化目标",
        "JP": "一致するコンバージョン目標がありません",
    },
    4013: {
        "ZH": "缺少必填字段",
        "JP": "必須フィールドがありません",
    },
    4014: {
        "ZH": "无效的 deviceType，必须为 ALL、PC、MOBILE 或 TABLET",
        "JP": "deviceType が無効です。ALL、PC、MOBILE、TABLET のいずれかを指定してください",
    },
    4016: {
        "ZH": "页面元素未配置，请先在产品中扫描页面",
        "JP": "ページの要素が未設定です。先に製品でページをスキャンしてください",
    },
    4018: {
        "ZH": "无效的字段",
        "JP": "無効なフィールドです",
    },
    4019: {
        "ZH": "无效的筛选运算符或值",
        "JP": "フィルターの演算子または値が無効です",
    },
    4030: {
        "ZH": "profileId 与 API Key 绑定的站点不一致",
        "JP": "profileId が API Key に紐づくサイトと一致しません",
    },
    4031: {
        "ZH": "API Key 缺少查询权限 (需要 query 权限)",
        "JP": "API Key に照会権限がありません (query 権限が必要です)",
    },
    4290: {
        "ZH": "超出速率限制 (每分钟)",
        "JP": "レート制限を超えました (毎分)",
    },
    4291: {
        "ZH": "超出速率限制 (每天)",
        "JP": "レート制限を超えました (毎日)",
    },
    5000: {
        "ZH": "服务器内部错误",
        "JP": "サーバー内部エラー",
    },
}


def text(texts: Texts, field: str, lang: str) -> dict[str, str]:
    """``{"label", "description"}`` of a field in ``lang``."""
    label, description = texts[field][lang]
    return {"label": label, "description": description}


def error_text(code: int, lang: str) -> str:
    """The generic message of an error code in ``lang`` (EN from settings)."""
    if lang != "EN" and code in ERRORS:
        return ERRORS[code][lang]
    return settings.ERROR_CODES[code].text
