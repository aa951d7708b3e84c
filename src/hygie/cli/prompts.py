"""Terminal prompts shared by the commands: a yes/no that understands French and English,
and the Rich face of the incident guide (:class:`hygie.incident.guide.GuideUI`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.panel import Panel
from rich.prompt import Confirm, InvalidResponse, Prompt
from rich.text import Text

from hygie.i18n import _, get_language
from hygie.output import err_console

if TYPE_CHECKING:
    from hygie.incident import Step


class YesNo(Confirm):
    """A confirmation that understands French and English answers (o/oui/y/yes, n/non/no)."""

    YES = frozenset({"o", "oui", "y", "yes"})
    NO = frozenset({"n", "non", "no"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices = ["o", "n"] if get_language() == "fr" else ["y", "n"]

    def process_response(self, value: str) -> bool:
        v = value.strip().lower()
        if v in self.YES:
            return True
        if v in self.NO:
            return False
        raise InvalidResponse(self.validate_error_message)

    def render_default(self, default: Any) -> Text:
        yes, no = self.choices
        return Text(f"({yes if default else no})", "prompt.default")


def ask_yes_no(question: str, default: bool = True) -> bool:
    return bool(YesNo.ask(question, default=default, console=err_console))


class RichGuideUI:
    def __init__(self) -> None:
        self.console = err_console

    def show_step(self, step: Step, lines: list[str]) -> None:
        self.console.print(
            Panel(
                "\n".join(lines),
                title=_("Étape {n} sur 6 : {t}").format(n=step.number, t=_(step.title)),
                border_style="red",
            )
        )

    def confirm(self, question: str, default: bool = True) -> bool:
        return ask_yes_no(question, default)

    def ask(self, question: str, default: str = "") -> str:
        return str(Prompt.ask(question, default=default, console=self.console))

    def info(self, text: str) -> None:
        self.console.print(text)
