"""The order of presenter mode's steps: the run shown, then each demonstration as a question and its answer."""

from __future__ import annotations

from typing import NamedTuple

RESULT, QUESTION, ANSWER = "result", "question", "answer"


class Step(NamedTuple):
    """One screen: ``kind`` is RESULT, QUESTION or ANSWER; ``name`` the demonstration's (None for RESULT)."""

    kind: str
    name: str | None = None


class Deck:
    """The steps in order and where the presenter is; Back and Next move one step and stop at the ends."""

    def __init__(self, demonstrations) -> None:
        self.steps = [Step(RESULT)] + [Step(kind, name) for name in demonstrations for kind in (QUESTION, ANSWER)]
        self.index = 0

    @property
    def current(self) -> Step:
        """The step shown."""
        return self.steps[self.index]

    def next(self) -> bool:
        """Move one step on; False at the last step."""
        if self.index + 1 >= len(self.steps):
            return False
        self.index += 1
        return True

    def back(self) -> bool:
        """Move one step back; False at the first step."""
        if self.index == 0:
            return False
        self.index -= 1
        return True

    def go(self, step: Step) -> None:
        """Show ``step`` (ValueError when the deck has no such step)."""
        self.index = self.steps.index(step)

    def position(self) -> str:
        """'3 of 17', for the presenter."""
        return f"{self.index + 1} of {len(self.steps)}"
