"""Form values that answer a question right or wrong, for driving attempts in tests."""

from pathlib import Path

import yaml

QUESTIONS = Path(__file__).resolve().parent.parent / "questions"
# Every page of a quiz shows its bank's title; an answer word that is in a
# title ("deepfake" in "…and deepfakes") shows there whatever the question.
BANK_TITLES = [
    text
    for path in QUESTIONS.glob("[!_]*.yaml")
    for text in yaml.safe_load(path.read_text(encoding="utf-8"))["title"].values()
]


def right_values(content: dict) -> list[str]:
    """Submitted values that earn full marks."""
    answer = content["answer"]
    kind = content["type"]
    if kind == "multiple":
        return list(answer)
    if kind == "true_false":
        return ["true" if answer else "false"]
    if kind == "numeric":
        return [str(answer["value"])]
    if kind == "short_text":
        return [answer[0]]
    return [answer]


def wrong_values(content: dict) -> list[str]:
    """Submitted values that earn nothing."""
    answer = content["answer"]
    kind = content["type"]
    if kind in ("single", "multiple"):
        right = set(answer) if kind == "multiple" else {answer}
        return [next(c["id"] for c in content["choices"] if c["id"] not in right)]
    if kind == "true_false":
        return ["false" if answer else "true"]
    if kind == "claim":
        return ["not_supported" if answer == "supported" else "supported"]
    if kind == "numeric":
        return [str(answer["value"] + answer["tolerance"] + 1000)]
    return ["certainly not this"]


def secrets_of(content: dict) -> list[str]:
    """Texts that would give the answer away if shown before answering.

    A text the question shows anyway (quoted in its prompt or a choice, as
    questions about a document's wording do) is not a secret.
    """
    texts = list(content["explanation"].values())
    texts += list(content.get("wrong_feedback", {}).values())
    for choice in content.get("choices", ()):
        texts += list(choice.get("feedback", {}).values())
    if content["type"] != "claim":  # a claim is shown with the passage it is judged against
        texts += [source["exact"] for source in content["sources"]]
        texts += [source["gloss"]["en"] for source in content["sources"] if source.get("gloss")]
    if content["type"] == "short_text":
        texts += content["answer"]
    shown = [*content["prompt"].values()]
    shown += [text for choice in content.get("choices", ()) for text in choice["text"].values()]
    shown = [text.casefold() for text in (*shown, *BANK_TITLES)]
    return [text for text in texts if not any(text.casefold() in visible for visible in shown)]
