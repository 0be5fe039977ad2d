"""What presenter mode asks the room before each demonstration, and the one sentence it shows of a verdict.

The questions only ask: the answer is the demonstration's own headline, computed from its runs.
"""

from __future__ import annotations

QUESTIONS: dict[str, str] = {
    "checkup": "Every cause the tool knows, switched on one at a time with one pass each: how many of them change "
               "this picture's top-1?",
    "popular-1": "The popular answer's generator divides by 255 after preprocess_input: does the model still name the "
                 "same class?",
    "popular-2": "No seed set: will calling the model twice on the same image give different numbers?",
    "popular-3": "A small CNN with dropout left on at inference: will a seeded run repeat exactly? And an unseeded one?",
    "matrix": "Seed set: will the two runs match? And with augmentation on, will the passes within one run agree?",
    "pitfalls": "A preprocessing mistake, another resize filter, another architecture's preprocess_input: which of them "
                "move the answer, and how far?",
    "serving": "The same file read by load_img, by image_dataset_from_directory and by OpenCV, each at its defaults: "
               "will the model give the same answer?",
    "layers": "Where does training mode break the model?",
    "runtimes": "The exported model: will it give the same answer?",
    "numerics": "Batch size, bfloat16, deterministic ops, threads, kernel library, backend: which of them change the "
                "numbers, and by how much?",
}

# The verdict's sentence about the passes themselves (core.analysis.verdict.run_verdict starts one of these)
_PASS_SENTENCES = ("All ", "Top-1 was", "Only 1 pass")


def question(name: str) -> str:
    """The question asked before the demonstration ``name`` runs."""
    return QUESTIONS.get(name, "What will this demonstration show?")


def sentences(text: str) -> list[str]:
    """``text`` cut into sentences: a '.', '!' or '?' followed by a space ends one, except inside a quoted
    class name ('St. Bernard'); an apostrophe between letters (potter's wheel) is not a quote."""
    out, start, quoted = [], 0, False
    for i, ch in enumerate(text):
        if ch == "'":
            before = text[i - 1] if i else " "
            after = text[i + 1] if i + 1 < len(text) else " "
            if not (before.isalpha() and after.isalpha()):
                quoted = not quoted
        elif ch in ".!?" and not quoted and (i + 1 == len(text) or text[i + 1] == " "):
            out.append(text[start:i + 1].strip())
            start = i + 1
    if text[start:].strip():
        out.append(text[start:].strip())
    return [s for s in out if s]


def verdict_sentence(verdict: str) -> str:
    """The one sentence of the tool's verdict that says what the passes did (else its first sentence)."""
    parts = sentences(verdict)
    for part in parts:
        if part.startswith(_PASS_SENTENCES):
            return part
    return parts[0] if parts else ""
