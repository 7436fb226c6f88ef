from pathlib import Path

import pytest

from suggest.errors import KnowledgeError
from suggest.knowledge import fill, load_knowledge
from suggest.knowledge.fill import required_variables, variables, without_variables


def test_loads_templates_products_shop_and_faq(knowledge_dir: Path):
    kb = load_knowledge(knowledge_dir)
    assert set(kb.shops) == {"demo"}
    assert kb.products["tee"].aliases == ("短袖", "白T")
    ids = {e.id: e for e in kb.entries}
    assert ids["faq-color"].kind == "faq"
    assert ids["faq-color"].questions == ("有色差吗", "颜色和图片一样吗")  # BOM stripped, rows grouped
    assert ids["refund-pdd"].platforms == {"pdd"}
    assert ids["size"].fallback


def test_digest_changes_with_any_file(knowledge_dir: Path):
    before = load_knowledge(knowledge_dir).digest
    with open(knowledge_dir / "faq.csv", "a", encoding="utf-8") as fh:
        fh.write("faq-new,包装好吗,亲，包装是加厚纸箱。\n")
    assert load_knowledge(knowledge_dir).digest != before


def test_an_optional_part_is_left_out_when_its_fact_is_missing():
    template = "亲，这款{price}哦～[[另外{coupons}。]]"
    assert fill(template, {"price": "79元"}, {"coupons": "满199减20"}) == "亲，这款79元哦～另外满199减20。"
    assert fill(template, {"price": "79元"}, {}) == "亲，这款79元哦～"  # a shop without coupons still answers
    assert fill(template, {}, {"coupons": "满199减20"}) is None  # outside the brackets a fact is required
    assert variables(template) == ["price", "coupons"] and required_variables(template) == ["price"]
    assert without_variables(template) == "亲，这款哦～另外。"
    for broken in ("亲[[另外{coupons}", "亲]]", "[[a[[b]]]]"):
        with pytest.raises(ValueError):
            fill(broken, {})


def test_a_template_with_a_broken_optional_part_is_refused_at_its_answer(knowledge_dir: Path):
    (knowledge_dir / "templates" / "z.yaml").write_text(
        "- id: z\n  questions: [多少钱]\n  answer: 亲，这款[[另外{ship_time}\n", encoding="utf-8")
    with pytest.raises(KnowledgeError, match=r"z.yaml:3: template 'z': '\[\[' is never closed"):
        load_knowledge(knowledge_dir)


def test_fill_uses_product_then_shop_facts():
    assert fill("亲，{ship_time}", {"ship_time": "24小时"}, {"ship_time": "48小时"}) == "亲，24小时"
    assert fill("亲，{ship_time}", {}, {"ship_time": "48小时"}) == "亲，48小时"
    assert fill("亲，{size_advice}", {}, {"ship_time": "48小时"}) is None
    assert fill("写作 {{括号}}", {}) == "写作 {括号}"
    # Values are put in as they are, never formatted again.
    assert fill("亲，{a}元{{整}}", {"a": "{b}"}) == "亲，{b}元{整}"


BROKEN = [
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 在的\n- id: b\n  questions: [\n", 5, "invalid YAML"),
    # an unclosed quote or bracket: the line it opens on, not the one the parser gives up at (helper-41)
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: \"在的\n- id: b\n  questions: [你好]\n  answer: 你好\n", 3,
     "a quote opened on this line is not closed"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗, 你好\n  answer: 在的\n- id: b\n  questions: [x]\n  answer: y\n", 2,
     "a [ opened on this line is not closed"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 在的\n- id: b\n  quesitons: [在吗]\n  answer: x\n", 5, "unknown field 'quesitons'"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 在的\n  platforms: [amazon]\n", 4, "unknown platform 'amazon'"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 在的\n- id: a\n  questions: [你好]\n  answer: 你好\n", 4, "already used"),
    ("templates/main.yaml", "- id: a\n  questions: []\n  answer: 在的\n", 1, "no example questions"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n", 1, "missing or empty 'answer'"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 亲，{ship time}\n", 3, "bad variable"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 亲，{nothing_like_this}\n", 3, "no shop or product has the fact"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 亲，{oops\n", 3, "literal brace"),
    # Python's format mini-language would reach the customer: quotes, padding, gigabytes.
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 亲，{ship_time!r}\n", 3, "not a plain variable"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 亲，{ship_time:>99999999}\n", 3, "not a plain variable"),
    # Nested aliases ("billion laughs"): 300 bytes that would expand to 43 million values.
    ("templates/main.yaml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\nh: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]\n", 1, "aliases"),
    ("templates/main.yaml", "- id: a\n  questions: [在吗]\n  answer: 在的\n  products: [ghost]\n", 4, "unknown product 'ghost'"),
    ("products/items.yaml", "- id: x\n  name: 衣服\n- id: x\n  name: 鞋\n", 3, "product id 'x' is already defined at "),
    ("products/items.yaml", "- id: x\n  name: 衣服\n- id: y\n  name: \"鞋\x00\"\n", 4, "control characters are not allowed"),
    ("shops/demo.yaml", "id: demo\nname: 店\nplatforms: [tmall]\nhours:\n  weekly: {daily: [09:00-18:00]}\n  message_window: yes\n",
     6, "message_window: a yes/no word is not a duration"),
    ("products/items.yaml", "- id: Bad Id\n  name: 衣服\n", 1, "must be [a-z0-9-]"),
    ("shops/demo.yaml", "id: other\nname: 店\n", 1, "must match the file name"),
    ("faq.csv", "question,answer\n在吗,在的\n", 1, "header must be id,question,answer"),
    ("faq.csv", "id,question,answer\nq1,在吗,\n", 2, "has no answer"),
    ("faq.csv", "id,question,answer\nq1,在吗,在的\nq2,,x\n", 3, "empty question"),
    ("faq.csv", "id,question,answer\nq1,在吗,在的,多余\n", 2, "expected 3 columns"),
]


@pytest.mark.parametrize(("name", "content", "line", "message"), BROKEN)
def test_malformed_files_name_the_file_and_line(knowledge_dir: Path, name: str, content: str, line: int, message: str):
    (knowledge_dir / name).write_text(content, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert info.value.path.endswith(name)
    assert info.value.line == line, str(info.value)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{knowledge_dir / name}:{line}: ")


def test_binary_garbage_is_a_clear_error(knowledge_dir: Path):
    (knowledge_dir / "faq.csv").write_bytes(b"id,question,answer\n\xff\xfe\x00\x81garbage\n")
    with pytest.raises(KnowledgeError, match=r"faq.csv:2: not valid UTF-8"):
        load_knowledge(knowledge_dir)


def test_a_directory_with_only_a_csv_is_a_knowledge_base(tmp_path: Path):
    (tmp_path / "qa.csv").write_text("id,question,answer\nq1,能开发票吗,亲，可以开的。\n", encoding="utf-8")
    kb = load_knowledge(tmp_path)
    assert [e.id for e in kb.entries] == ["q1"]
    assert kb.default_shop.id == "default"
    assert kb.rules_dir is None or Path(kb.rules_dir).name == "rules"


def test_missing_directory_and_empty_directory(tmp_path: Path):
    with pytest.raises(KnowledgeError, match="not found"):
        load_knowledge(tmp_path / "nope")
    with pytest.raises(KnowledgeError, match="no templates"):
        load_knowledge(tmp_path)


def test_every_broken_entry_is_named_in_one_load(knowledge_dir: Path):
    # Templates copied into a shop whose catalogue lacks their facts: one build lists them all.
    (knowledge_dir / "templates" / "copied.yaml").write_text(
        "- id: care\n  questions: [怎么洗]\n  answer: 亲，{washing}\n"
        "- id: fine\n  questions: [在吗]\n  answer: 在的\n"
        "- id: lining\n  questions: [有内衬吗]\n  answer: 亲，{lining}\n"
        "- id: ghost-scope\n  questions: [这款呢]\n  answer: 有的\n  products: [ghost]\n",
        encoding="utf-8")
    (knowledge_dir / "more.csv").write_text("id,question,answer\nq9,在吗,\n", encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    copied = knowledge_dir / "templates" / "copied.yaml"
    lines = str(info.value).splitlines()
    assert lines[0] == f"{copied}:3: template 'care': no shop or product has the fact {{washing}} and there is no fallback"
    assert lines[1].startswith(f"{copied}:9: template 'lining': no shop or product has the fact {{lining}}")
    assert lines[2].startswith(f"{copied}:13: template 'ghost-scope' names unknown product 'ghost'")
    assert lines[3].startswith(f"{knowledge_dir / 'more.csv'}:2: ") and "has no answer" in lines[3]
    assert lines[4] == "(4 problems in the knowledge)"
    assert (info.value.path, info.value.line) == (str(copied), 3)
    assert [(Path(e.path).name, e.line) for e in info.value.others] == [("copied.yaml", 9), ("copied.yaml", 13), ("more.csv", 2)]


def test_a_broken_product_is_not_blamed_again_in_the_templates_that_name_it(knowledge_dir: Path):
    items = knowledge_dir / "products" / "items.yaml"
    product = next(line for line in items.read_text(encoding="utf-8").splitlines() if line.startswith("- id: "))
    items.write_text(items.read_text(encoding="utf-8").replace(product, product + "\n  colour: red", 1), encoding="utf-8")
    (knowledge_dir / "templates" / "scoped.yaml").write_text(
        f"- id: scoped\n  questions: [这款呢]\n  answer: 有的\n  products: [{product.removeprefix('- id: ')}]\n",
        encoding="utf-8")
    with pytest.raises(KnowledgeError, match="unknown field 'colour'") as info:
        load_knowledge(knowledge_dir)
    assert info.value.others == ()  # the template's scope is not checked against a broken catalogue


def test_many_problems_are_counted_past_the_ones_written_out(knowledge_dir: Path):
    rows = "".join(f"- id: t{n}\n  questions: [在吗]\n  answer: 亲，{{missing_{n}}}\n" for n in range(40))
    (knowledge_dir / "templates" / "many.yaml").write_text(rows, encoding="utf-8")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    lines = str(info.value).splitlines()
    assert len(info.value.others) == 39 and len(lines) == 1 + KnowledgeError.SHOWN + 2
    assert lines[-2:] == [f"… and {39 - KnowledgeError.SHOWN} more", "(40 problems in the knowledge)"]


def test_a_yaml_file_saved_as_gbk_is_named_with_how_to_save_it(knowledge_dir: Path):
    """Notepad on a Chinese Windows saves "ANSI" (GBK): the CSV reader said so, the YAML reader
    only "not valid UTF-8 text" (helper-36)."""
    path = knowledge_dir / "templates" / "main.yaml"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert str(info.value).startswith(f"{path}:2: not valid UTF-8 text: it looks like GBK/GB18030 (what a text "
                                      "editor on a Chinese Windows saves as 'ANSI'); save it as UTF-8")
    assert "iconv -f GB18030 -t UTF-8 main.yaml" in str(info.value)
