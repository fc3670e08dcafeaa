"""Loading knowledge.yaml: every problem names the file, the entry and what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot import knowledge
from bot.errors import KnowledgeError

ROOT = Path(__file__).resolve().parent.parent


def real() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((ROOT / "knowledge.yaml").read_text())


def broken(change: str) -> dict:  # type: ignore[type-arg]
    data = real()
    first = data["answers"][0]
    if change == "unknown-field":
        first["colour"] = "blue"
    elif change == "missing-field":
        del first["evidence"]
    elif change == "no-sources":
        first["sources"] = []
    elif change == "unknown-source":
        first["sources"] = ["nobody-2020"]
    elif change == "duplicate-id":
        data["answers"][1]["id"] = first["id"]
    elif change == "long-title":
        first["title"] = "A title far too long to fit on a Telegram button"
    elif change == "long-answer":
        first["answer"] = "word " * 1000
    elif change == "bad-caution":
        first["caution"] = "sometimes"
    elif change == "study-dose-as-advice":
        first["study_dose"] = "Take 600 mg a day."
    elif change == "unknown-related":
        first["related"] = ["nowhere"]
    elif change == "disclaimer-without-words":
        data["disclaimer"] = "Be careful."
    elif change == "long-short":
        first["short"] = "word " * 81
    elif change == "missing-short":
        del first["short"]
    elif change == "source-without-title":
        del data["sources"][1]["title"]
    elif change == "source-with-title-and-description":
        data["sources"][1]["description"] = "a guide"
    elif change == "authors-repeat-publisher":
        data["sources"][2]["authors"] = data["sources"][2]["publisher"]
    elif change == "unknown-language":
        data["languages"]["xx"] = "Sorry, English only."
    elif change == "empty-language-line":
        data["languages"]["es"] = ""
    elif change == "urgent-line-without-number":
        data["urgent_languages"]["de"] = "Das kann ein Notfall sein: rufen Sie den Notruf an."
    elif change == "urgent-if-line-without-number":
        data["urgent_if_languages"]["fr"] = "En cas d'urgence, appelez les secours."
    elif change == "unknown-urgent-language":
        data["urgent_languages"]["xx"] = "Call 112 now."
    return data


CASES = [
    ("unknown-field", "answer 'what-is-cysteine'", "unknown field(s): colour"),
    ("missing-field", "answer 'what-is-cysteine'", "missing field(s): evidence"),
    ("no-sources", "answer 'what-is-cysteine'", "field 'sources' must not be empty"),
    ("unknown-source", "answer 'what-is-cysteine'", "unknown source id 'nobody-2020'"),
    ("duplicate-id", "answer 'what-is-cysteine'", "duplicate id"),
    ("long-title", "answer 'what-is-cysteine'", "at most 32 fit a button"),
    ("long-answer", "answer 'what-is-cysteine'", "at most 2500"),
    ("bad-caution", "answer 'what-is-cysteine'", "caution 'sometimes' must be one of"),
    ("study-dose-as-advice", "answer 'what-is-cysteine'", "what a study or the article reports"),
    ("unknown-related", "answer 'what-is-cysteine'", "related 'nowhere' is not another answer"),
    ("disclaimer-without-words", "top level", "'not medical advice'"),
    ("long-short", "answer 'what-is-cysteine'", "short form is 81 words; at most 80"),
    ("missing-short", "answer 'what-is-cysteine'", "missing field(s): short"),
    ("source-without-title", "source 'ummc-2014'", "either the work's own 'title'"),
    ("source-with-title-and-description", "source 'ummc-2014'", "either the work's own"),
    ("authors-repeat-publisher", "source 'natmed-2015'", "authors repeat the publisher"),
    ("unknown-language", "languages", "unknown field(s): xx"),
    ("empty-language-line", "languages", "'es'"),
    ("urgent-line-without-number", "urgent_languages.de", "must name an emergency number"),
    ("unknown-urgent-language", "urgent_languages", "unknown field(s): xx"),
    ("urgent-if-line-without-number", "urgent_if_languages.fr", "must name an emergency number"),
]


@pytest.mark.parametrize(("change", "entry", "problem"), CASES, ids=[c[0] for c in CASES])
def test_bad_knowledge_names_file_entry_and_problem(change: str, entry: str,
                                                    problem: str) -> None:
    with pytest.raises(KnowledgeError) as caught:
        knowledge.parse(broken(change), "knowledge.yaml")
    assert (caught.value.file, caught.value.entry is not None, problem in str(caught.value)) == (
        "knowledge.yaml", True, True) and entry in str(caught.value)


def test_yaml_error_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "knowledge.yaml"
    path.write_text("disclaimer: ok\nanswers:\n  - id: x\n   title: y\n")
    with pytest.raises(KnowledgeError, match=r"line 4"):
        knowledge.load(path)


def test_readme_example_answer_loads() -> None:
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"```yaml\n(  - id: .*?)```", readme, re.S)
    assert block is not None
    data = real()
    data["answers"].append(yaml.safe_load(block.group(1))[0])
    assert knowledge.parse(data, "knowledge.yaml").has_answer(data["answers"][-1]["id"])


def test_readme_states_the_content_rules() -> None:
    readme = (ROOT / "README.md").read_text()
    rules = readme[readme.index("### Content rules"):readme.index("## Commands and settings")]
    assert all(rule in rules for rule in ("**Own words.**", "**Hedge as the source does.**",
                                          "**Short form**", "**Cite**", "**Doses**"))


def test_a_short_form_of_80_words_loads() -> None:
    data = real()
    data["answers"][0]["short"] = "word " * 80
    assert knowledge.parse(data, "knowledge.yaml").answers[0].short.split() == ["word"] * 80


@pytest.mark.parametrize(("fields", "citation", "short"), [
    ({"authors": "Pittenger C", "title": "Agents for OCD.", "publisher": "Curr Treat Options",
      "date": "2015-09"}, "Pittenger C. Agents for OCD. Curr Treat Options. 2015-09.",
     "Pittenger C, 2015"),
    ({"title": "NAC: Monograph", "publisher": "Natural Medicines", "date": "2015-06-24",
      "note": "reviewed 2013"}, "NAC: Monograph. Natural Medicines. 2015-06-24. (reviewed 2013)",
     "Natural Medicines, 2015"),
    ({"description": "Article on capsules", "publisher": "Nootriment", "date": "2018-03-13"},
     "Nootriment. [Article on capsules]. 2018-03-13.", "Nootriment, 2018"),
], ids=["authors-and-title", "no-author", "untitled"])
def test_citations_name_each_part_once(fields: dict[str, str], citation: str,
                                       short: str) -> None:
    source = knowledge.Source(id="x", **fields)
    assert (source.citation(), source.short()) == (citation, short)


DUPLICATES = {
    "top-level": ("disclaimer: a\ndisclaimer: b\n", "line 2, column 1",
                  "duplicate key 'disclaimer' (first on line 1)"),
    "in-an-answer": ("answers:\n  - id: x\n    title: y\n    title: z\n", "line 4, column 5",
                     "duplicate key 'title' (first on line 3)"),
}


@pytest.mark.parametrize(("text", "where", "problem"), DUPLICATES.values(), ids=DUPLICATES.keys())
def test_a_duplicate_key_names_the_file_and_line(tmp_path: Path, text: str, where: str,
                                                 problem: str) -> None:
    path = tmp_path / "knowledge.yaml"
    path.write_text(text)
    with pytest.raises(KnowledgeError) as caught:
        knowledge.load(path)
    assert (caught.value.file, caught.value.entry, caught.value.problem) == (
        str(path), where, f"YAML error: {problem}")


def test_a_content_error_names_the_line_of_its_field(tmp_path: Path) -> None:
    text = (ROOT / "knowledge.yaml").read_text()
    first = text.index("\n  - id: what-is-cysteine")
    line = text[:first].count("\n") + 2
    path = tmp_path / "knowledge.yaml"
    path.write_text(text.replace("  - id: what-is-cysteine", "  - id: what-is-cysteine\n    x: 1",
                                 1))
    with pytest.raises(KnowledgeError) as caught:
        knowledge.load(path)
    assert (caught.value.line, "unknown field(s): x" in caught.value.problem,
            f"line {line + 1}:" in str(caught.value)) == (line + 1, True, True)
