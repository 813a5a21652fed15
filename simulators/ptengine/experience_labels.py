"""Labels and descriptions of experience metrics (§3), in EN (the doc's wording), ZH, JP."""

from __future__ import annotations

from typing import Final

# field -> (EN label, ZH label, JP label, EN description)
_TEXTS: Final[dict[str, tuple[str, str, str, str]]] = {
    "viewedUsers": ("Viewed Users", "浏览用户数", "表示ユーザー数",
                    "Number of users who viewed the experience."),
    "views": ("Views", "浏览次数", "表示回数", "Number of times the experience was viewed."),
    "clickedUsers": ("Clicked Users", "点击用户数", "クリックユーザー数",
                     "Number of users who clicked a button or link in the experience."),
    "clickRate": ("Click Rate", "点击率", "クリック率", "Click ratio of users in the experience."),
    "closedUsers": ("Closed Users", "关闭用户数", "クローズユーザー数",
                    "Number of users who closed the popup / sticky bar."),
    "closeRate": ("Close Rate", "关闭率", "クローズ率",
                  "Close ratio of users for popup / sticky bar."),
    "formSubmittedUsers": ("Form Submitted Users", "表单提交用户数", "フォーム送信ユーザー数",
                           "Number of users who submitted the form."),
    "formSubmitRate": ("Form Submit Rate", "表单提交率", "フォーム送信率", "Form submit ratio."),
    "goalReachedUsers": ("Reached Users", "达成用户数", "達成ユーザー数",
                         "Users who reached a goal after viewing the experience."),
    "goalReachRate": ("Reach Rate", "达成率", "達成率",
                      "Goal-reach ratio of users who viewed the experience."),
    "reachedUsers": ("Reached Users", "达成用户数", "達成ユーザー数",
                     "Users who reached the goal after viewing the experience."),
    "reachRate": ("Reach Rate", "达成率", "達成率",
                  "Goal-reach ratio of users who viewed the experience."),
    "value": ("Goal Status", "目标状态", "目標ステータス",
              "Reached value (null = counted by user share)."),
    "goalStatus": ("Goal Status", "目标状态", "目標ステータス",
                   "Goal status by user share, property sum, or average."),
    "avgVisitDuration": ("Avg. Visit Duration", "平均访问时长", "平均滞在時間",
                         "Average visit duration of users who viewed the experience."),
    "avgPagesPerVisit": ("Avg. Pages per Visit", "平均访问页数", "平均閲覧ページ数",
                         "Average pages per visit."),
    "bounceRate": ("Bounce Rate", "跳出率", "直帰率",
                   "Bounce rate of visits that viewed the experience."),
    "uplift": ("Uplift", "提升", "改善率", "Change against the baseline version."),
    "probabilityToBeBest": ("Probability to Win", "胜出概率", "勝率",
                            "Probability that this version beats the baseline."),
    "lastUpdatedTime": ("Last Updated", "最后更新时间", "最終更新日時", "Last updated time."),
    "lastUpdatedMember": ("Last Updated By", "最后更新人", "最終更新者", "Last updater."),
    "createdTime": ("Created", "创建时间", "作成日時", "Created time."),
    "createdMember": ("Created By", "创建人", "作成者", "Creator."),
    "runningPeriod": ("Running Period", "运行期间", "実施期間", "Running period."),
    "tags": ("Tags", "标签", "タグ", "Custom property tags."),
}
_LANG_INDEX: Final = {"EN": 0, "ZH": 1, "JP": 2}


def text(field: str, lang: str) -> dict[str, str]:
    """``{"label", "description"}`` of an experience metric in ``lang``."""
    texts = _TEXTS[field]
    return {"label": texts[_LANG_INDEX.get(lang, 0)], "description": texts[3]}
