"""Text built once with a placeholder where a value goes, then completed with each request's value."""


def split_at(text: str, placeholder: str) -> tuple[str, str] | None:
    """``text`` before and after ``placeholder``; None unless it holds the placeholder exactly once, since
    otherwise the value's place cannot be told from text that merely looks like the placeholder."""
    if text.count(placeholder) != 1:
        return None
    before, _, after = text.partition(placeholder)
    return before, after
