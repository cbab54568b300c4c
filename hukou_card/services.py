"""Card writes. cards_issue_for_application is built in the card issue (#5)."""


def cards_issue_for_application(*, application_id: int):
    raise NotImplementedError("入户信息卡签发尚未实现（issue 5）。")
