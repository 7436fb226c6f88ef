"""The merchant FAQ spreadsheet: header variants, the optional products / platforms / shops scope columns."""

from pathlib import Path

import pytest

from suggest.cli import main
from suggest.config import Settings
from suggest.embedding.hashing import HashEmbedder
from suggest.engine import Suggester
from suggest.errors import KnowledgeError
from suggest.knowledge import load_knowledge
from suggest.knowledge.faq_csv import load_faq_csv

SCOPED = (
    "id,question,answer,products,platforms\n"
    "faq-presale,这款是预售吗,亲，这款是预售款，付款后15天内发货哦。,down-jacket,\n"
    "faq-presale,现在拍什么时候发,,,\n"
    "faq-coupon,有优惠券吗,亲，拼多多下单可以领店铺券哦。,,pdd\n"
    "faq-both,能走顺丰吗,亲，这两款可以补差价发顺丰。,tee|down-jacket,TMALL｜pdd\n"
    "faq-color,有色差吗,亲，图片为实物拍摄，不同屏幕可能有轻微色差。,,\n"
)


def write(folder: Path, content: str, name: str = "faq.csv") -> Path:
    path = folder / name
    path.write_text(content, encoding="utf-8")
    return path


def entries(knowledge_dir: Path, content: str) -> dict:
    write(knowledge_dir, content)
    return {e.id: e for e in load_knowledge(knowledge_dir).entries}


@pytest.mark.parametrize(
    "header",
    [
        "id,question,answer",
        "\ufeffID, Question ,ANSWER",
        "id,question,answer,products",
        "id,question,answer,platforms",
        "id,question,answer,platforms,products",
        " Id,question,answer, Products , PLATFORMS ",
        # Stray empty cells of a spreadsheet: columns without a name, empty in every row.
        "id,question,answer,,",
        "id,question,answer, ,platforms,",
    ],
)
def test_header_variants(tmp_path: Path, header: str):
    extra = header.count(",") - 2
    path = write(tmp_path, f"{header}\nq1,能开发票吗,亲，可以开的。{',' * extra}\n")
    [entry] = load_faq_csv(path)
    assert (entry.id, entry.questions, entry.answer) == ("q1", ("能开发票吗",), "亲，可以开的。")
    assert entry.products == entry.platforms == frozenset()


def test_scope_columns_are_parsed(knowledge_dir: Path):
    ids = entries(knowledge_dir, SCOPED)
    assert ids["faq-presale"].products == {"down-jacket"}
    assert ids["faq-presale"].platforms == frozenset()
    assert ids["faq-presale"].questions == ("这款是预售吗", "现在拍什么时候发")
    assert ids["faq-coupon"].platforms == {"pdd"} and ids["faq-coupon"].products == frozenset()
    assert ids["faq-both"].products == {"tee", "down-jacket"}
    assert ids["faq-both"].platforms == {"tmall", "pdd"}  # case-insensitive, full-width ｜ too
    assert ids["faq-color"].products == ids["faq-color"].platforms == frozenset()


def test_old_three_column_files_are_unchanged(knowledge_dir: Path):
    ids = {e.id: e for e in load_knowledge(knowledge_dir).entries}
    color = ids["faq-color"]
    assert color.questions == ("有色差吗", "颜色和图片一样吗")
    assert color.answer == "亲，图片为实物拍摄，不同屏幕可能有轻微色差。"
    assert (color.kind, color.intent, color.line) == ("faq", "faq", 2)
    assert color.products == color.platforms == color.shops == frozenset()


def test_the_digest_changes_with_the_scope(knowledge_dir: Path):
    before = load_knowledge(knowledge_dir).digest
    write(knowledge_dir, "id,question,answer,products\nfaq-color,有色差吗,亲，有轻微色差。,\n")
    unscoped = load_knowledge(knowledge_dir).digest
    write(knowledge_dir, "id,question,answer,products\nfaq-color,有色差吗,亲，有轻微色差。,tee\n")
    assert len({before, unscoped, load_knowledge(knowledge_dir).digest}) == 3


BROKEN = [
    ("id,question,answer,shop\nq1,在吗,在的,demo\n", 1,
     "unknown column 'shop': did you mean 'shops'? (read: id, question, answer, products, platforms, shops)"),
    ("id,question,answer,适用商品\nq1,在吗,在的,tee\n", 1, "unknown column '适用商品': did you mean 'products'?"),
    ("id,question,answer,shops\nq1,在吗,在的,demo\nq2,有货吗,有的,demo|qingzhou\n", 3,
     "FAQ 'q2' names unknown shop 'qingzhou' (known shops: demo)"),
    ("id,question,answer,products,Products\nq1,在吗,在的,,\n", 1, "duplicate column 'products'"),
    ("id,question,answer,id\nq1,在吗,在的,q1\n", 1, "duplicate column 'id'"),
    ("id,question,products,answer\nq1,在吗,,在的\n", 1,
     "header must be id,question,answer, optionally followed by any of products, platforms, shops"),
    ("id,question,answer,platforms\nq1,在吗,在的,\nq2,有货吗,有的,amazon\n", 3,
     "unknown platform 'amazon' (known: tmall, taobao, pdd, douyin, jd)"),
    ("id,question,answer,platforms\nq1,在吗,在的,\"tmall,pdd\"\n", 2, "separate several ids with |"),
    ("id,question,answer,products\nq1,在吗,在的,tee 、down-jacket\n", 2, "separate several ids with |"),
    ("id,question,answer,products\nq1,在吗,在的\n", 2, "expected 4 columns (id,question,answer,products), found 3"),
    ("id,question,answer,products\nq1,在吗,在的,\nq2,羽绒服怎么洗,亲，建议干洗。,down-jaket\n", 3,
     "FAQ 'q2' names unknown product 'down-jaket'"),
    ("id,question,answer,products\nq1,怎么洗,亲，建议干洗。,down-jacket\nq1,能机洗吗,,tee\n", 3,
     "products tee of id 'q1' differs from its first row (line 2: down-jacket)"),
    ("id,question,answer,platforms\nq1,有券吗,亲，有的。,\nq1,优惠券在哪领,,pdd\n", 3,
     "platforms pdd of id 'q1' differs from its first row (line 2: empty)"),
    ("id,question,answer\npresale,这款是预售吗,亲，这款是预售款，付款后15天内发货哦。\npresale,现在拍什么时候发,亲，现货48小时内发货哦。\n",
     3, "the answer of id 'presale' differs from its first row (line 2)"),
    # Two exports pasted together: the second header is not an answer with id 'id' (3 columns)
    # nor an "unknown platform 'platforms'" (5 columns).
    ("id,question,answer\nq1,在吗,在的\nid,question,answer\nq2,有货吗,有的\n", 3,
     "this row repeats the header of line 1 (id,question,answer)"),
    ("id,question,answer,products,platforms\nq1,在吗,在的,,\nid,question,answer,products,platforms\nq2,有货吗,有的,,pdd\n",
     3, "this row repeats the header of line 1 (id,question,answer,products,platforms)"),
    ("\ufeffid,question,answer\nq1,在吗,在的\n\ufeffID,Question,Answer\nq2,有货吗,有的\n", 3,  # cat a.csv b.csv
     "this row repeats the header of line 1"),
    ("id,question,answer\nq1,在吗,在的\nid,question,answer,platforms\nq2,有券吗,有的,pdd\n", 3,
     "this row is a header (id,question,answer,platforms) with other columns than line 1 (id,question,answer)"),
    # A column without a name must be empty in every row: here a note, or a cell slipped sideways.
    ("id,question,answer,,\nq1,在吗,在的,,\nq2,有货吗,有的,,备注\nq3,发货吗,发的,x,\n", 3,
     "column 5 (E) has no name in the header (line 1), but this row has '备注' in it"),
    ("id,question,answer,,platforms\nq1,在吗,在的,tmall,\n", 2, "column 4 (D) has no name in the header"),
    ("id,question,answer,,\nq1,在吗,在的\n", 2, "expected 5 columns (id,question,answer,,), found 3"),
    # The reader's other errors keep their file and line.
    ("id,question,answer\nq1,在吗,在的\n,有货吗,有的\n", 3, "empty id"),
    ('id,question,answer\nq1,在吗,在的\nq2,"有货吗,有的\nq3,发货吗,发的\n', 3, "is not closed: the cell runs on to the end of the file"),
    ('id,question,answer\nq1,"在吗"啊,在的\n', 2, "text after the closing quote of a cell"),
    ("id,question,answer\r\nq1,在吗,在的\r\nq2,有货吗\r\n", 3, "expected 3 columns (id,question,answer), found 2"),
]


@pytest.mark.parametrize(("content", "line", "message"), BROKEN)
def test_errors_name_the_file_and_line(knowledge_dir: Path, content: str, line: int, message: str):
    path = write(knowledge_dir, content)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert (info.value.path, info.value.line) == (str(path), line), str(info.value)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{path}:{line}: ")


def test_a_row_scoped_to_another_shop_is_not_suggested_in_this_one(tmp_path: Path, knowledge_dir: Path):
    other = (knowledge_dir / "shops" / "demo.yaml").read_text(encoding="utf-8").replace("id: demo", "id: outlet", 1)
    (knowledge_dir / "shops" / "outlet.yaml").write_text(other, encoding="utf-8")
    write(knowledge_dir, "id,question,answer,shops\nfaq-outlet,有折扣吗,亲，奥莱店全场五折哦。,outlet\n")
    assert load_knowledge(knowledge_dir).entry("faq-outlet").shops == {"outlet"}
    settings = Settings.load(knowledge_dir=knowledge_dir, index_dir=tmp_path / "index", model="hash", min_score=0.0)
    suggester = Suggester.open(settings, embedder=HashEmbedder())
    assert ids_suggested(suggester, "有折扣吗", shop="outlet")[0] == "faq-outlet"
    assert "faq-outlet" not in ids_suggested(suggester, "有折扣吗", shop="demo")


def test_same_scope_on_later_rows_is_fine(knowledge_dir: Path):
    ids = entries(
        knowledge_dir,
        "id,question,answer,products\nq1,怎么洗,亲，建议干洗。,tee|down-jacket\nq1,能机洗吗,,down-jacket|tee\n",
    )
    assert ids["q1"].products == {"tee", "down-jacket"}
    assert ids["q1"].questions == ("怎么洗", "能机洗吗")


def test_a_later_row_may_repeat_the_answer(knowledge_dir: Path):
    ids = entries(knowledge_dir, "id,question,answer\nq1,怎么洗,亲，建议干洗。\nq1,能机洗吗, 亲，建议干洗。\n")
    assert ids["q1"].answer == "亲，建议干洗。" and ids["q1"].questions == ("怎么洗", "能机洗吗")


def test_a_product_in_a_csv_only_directory_is_unknown(tmp_path: Path):
    path = write(tmp_path, "id,question,answer,products,platforms\nq1,这款是预售吗,亲，是预售款。,down-jacket,\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(tmp_path)
    assert str(info.value) == (
        f"{path}:2: FAQ 'q1' names unknown product 'down-jacket' (this knowledge directory has no products/*.yaml)"
    )
    # Platforms need no catalogue.
    write(tmp_path, "id,question,answer,products,platforms\nq1,有优惠券吗,亲，可以领店铺券。,,pdd\n")
    assert load_knowledge(tmp_path).entries[0].platforms == {"pdd"}


def ids_suggested(suggester: Suggester, message: str, **scope: str) -> list[str]:
    return [s.source.id for s in suggester.suggest(message, limit=20, **scope).suggestions]


def test_scoped_faq_rows_are_suggested_only_in_their_scope(tmp_path: Path, knowledge_dir: Path):
    write(knowledge_dir, SCOPED)
    settings = Settings.load(knowledge_dir=knowledge_dir, index_dir=tmp_path / "index", model="hash", min_score=0.0)
    suggester = Suggester.open(settings, embedder=HashEmbedder())

    assert ids_suggested(suggester, "这款是预售吗", product="down-jacket")[0] == "faq-presale"
    assert ids_suggested(suggester, "羽绒服是预售吗")[0] == "faq-presale"  # the product named in the message
    assert "faq-presale" not in ids_suggested(suggester, "这款是预售吗", product="tee")
    assert "faq-presale" not in ids_suggested(suggester, "这款是预售吗")

    assert ids_suggested(suggester, "有优惠券吗", platform="pdd")[0] == "faq-coupon"
    assert "faq-coupon" not in ids_suggested(suggester, "有优惠券吗", platform="tmall")

    # Unscoped rows stay everywhere.
    assert ids_suggested(suggester, "有色差吗", platform="pdd", product="tee")[0] == "faq-color"
    assert ids_suggested(suggester, "有色差吗", platform="tmall")[0] == "faq-color"


def test_line_breaks_in_a_cell_are_newlines(knowledge_dir: Path):
    # Excel writes \r\n between rows and, in files that went through Windows, inside a quoted cell.
    (knowledge_dir / "faq.csv").write_bytes(
        'id,question,answer\r\nq1,能开发票吗,"亲，可以。\r\n第二行\r第三行"\r\nq2,在吗,在的\r\n'.encode()
    )
    ids = {e.id: e for e in load_knowledge(knowledge_dir).entries}
    assert ids["q1"].answer == "亲，可以。\n第二行\n第三行"
    assert (ids["q1"].line, ids["q2"].line) == (2, 5)


FAQ = "id,question,answer\nq1,能开发票吗,亲，可以开的，确认收货后申请。\nq2,在吗,在的\n"


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        # Excel or WPS on Chinese Windows: "CSV (逗号分隔)".
        (FAQ.encode("gbk"), 2, "not valid UTF-8 text: it looks like GBK/GB18030 (what Excel or WPS saves as"
         " 'CSV (逗号分隔)'); in Excel or WPS save it as 'CSV UTF-8 (逗号分隔)' instead, or convert it:"
         " iconv -f GB18030 -t UTF-8 faq.csv > faq.csv.utf8 && mv faq.csv.utf8 faq.csv"),
        ((FAQ + "q3,有表情吗,有的😀\n").encode("gb18030"), 2, "it looks like GBK/GB18030"),
        # Excel's "Unicode 文本": UTF-16 with a byte-order mark, cells separated by tabs.
        (FAQ.replace(",", "\t").encode("utf-16"), 1, "not valid UTF-8 text: it is UTF-16 with tab-separated cells"
         " (Excel's 'Unicode 文本'); in Excel or WPS save it as 'CSV UTF-8 (逗号分隔)'"),
        (FAQ.encode("utf-16"), 1, "it is UTF-16 (Excel's 'Unicode 文本'); in Excel or WPS save it as"
         " 'CSV UTF-8 (逗号分隔)', or convert it: iconv -f UTF-16 -t UTF-8 faq.csv > faq.csv.utf8"),
        (FAQ.encode("utf-16-be"), 1, "it is UTF-16"),  # no byte-order mark: the NULs of its ASCII
        ("\ufeffid,question,answer\r\n".encode("utf-16-le"), 1, "it is UTF-16"),
        # One line pasted from a GBK file into a UTF-8 one: converting the file would garble the rest.
        (FAQ.encode() + "q3,能开专票吗,可以\n".encode("gbk"), 4,
         "not valid UTF-8 text: this line looks like GBK/GB18030 while the file has UTF-8 Chinese too"),
        # Not Chinese, though the bytes decode as GB18030: no guess, and no iconv that would garble it.
        ("id,question,answer\nq1,était,très bien\n".encode("latin-1"), 2,
         "not valid UTF-8 text (knowledge files are UTF-8: in Excel or WPS save it as 'CSV UTF-8 (逗号分隔)')"),
        ("id,question,answer\nq1,能開發票嗎,親，可以開的。\n".encode("big5"), 2, "not valid UTF-8 text (knowledge"),
    ],
)
def test_a_file_that_is_not_utf8_says_what_it_looks_like(knowledge_dir: Path, data: bytes, line: int, message: str):
    path = knowledge_dir / "faq.csv"
    path.write_bytes(data)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert message in str(info.value)
    if "GBK" not in message:
        assert "GBK" not in str(info.value)


def test_a_row_of_a_sheet_without_a_products_column_is_about_the_one_product_it_names(tmp_path):
    """The old tool's export has no products column; its row 孕妇能用口红吗 → 这款口红… answered
    卸妆水孕妇能用吗 too (names are masked for matching), and was sent alone at night (helper-39)."""
    import shutil

    from suggest.knowledge import load_knowledge

    knowledge = tmp_path / "knowledge"
    shutil.copytree(Path(__file__).parent / "data" / "knowledge" / "products", knowledge / "products")
    (knowledge / "faq.csv").write_text(
        "id,question,answer\n"
        "wash-down,羽绒服能机洗吗,亲，这款羽绒服建议手洗哦\n"  # names the down jacket: its scope
        "wash-tee,能机洗吗,亲，短袖可以机洗\n"  # the answer names the tee
        "both,短袖和羽绒服一起拍包邮吗,亲，满99包邮\n"  # two products: a row for any
        "invoice,能开发票吗,亲，可以开电子发票\n", encoding="utf-8")
    by_id = {e.id: e for e in load_knowledge(knowledge).entries}
    assert by_id["wash-down"].products == {"down-jacket"} and by_id["wash-down"].products_implied
    assert by_id["wash-tee"].products == {"tee"}
    assert by_id["both"].products == frozenset() and by_id["invoice"].products == frozenset()
    # A products column, even with the cell empty, is the merchant's own word: every product.
    (knowledge / "faq.csv").write_text("id,question,answer,products\nwash-down,羽绒服能机洗吗,亲，这款羽绒服建议手洗哦,\n",
                                       encoding="utf-8")
    [entry] = load_knowledge(knowledge).entries
    assert entry.products == frozenset() and not entry.products_implied


def test_the_other_columns_of_a_merchants_export_are_read_past_and_named(knowledge_dir: Path, capsys):
    """helper-40: a real export's 分类 column refused the whole file; now it is not read, and said so."""
    faq = knowledge_dir / "faq.csv"
    faq.write_text("\ufeffid,question,answer,分类,备注\r\nq-invoice,能开发票吗,亲，可以开的哦,发票,\r\n"
                   "q-courier,发什么快递,亲，默认中通哦,物流,常用\r\n", encoding="utf-8")
    kb = load_knowledge(knowledge_dir)
    assert kb.find("q-courier").answer == "亲，默认中通哦" and kb.find("q-courier").questions == ("发什么快递",)
    assert kb.unread_columns == {str(faq): ("分类", "备注")}
    assert main(["build", "--knowledge", str(knowledge_dir), "--index", str(knowledge_dir.parent / "idx"),
                 "--model", "hash"]) == 0
    assert (f"warning: {faq}:1: columns '分类', '备注' are not read (a FAQ spreadsheet's columns: id, question, "
            "answer, products, platforms, shops)") in capsys.readouterr().err


def test_every_broken_row_of_a_spreadsheet_is_named_in_one_load(knowledge_dir: Path):
    """helper-41: an unknown platform on two rows took two reloads to find. A later row of an id
    whose first row was refused is not blamed again."""
    write(knowledge_dir, "id,question,answer,platforms\nq1,有赠品吗,亲，有小礼品哦,amazon\nq2,在吗,在的,\n"
                         "q3,发什么快递,中通,ebay\nq1,有礼物吗,,amazon\nq4,,没有问题的行,\nq5,多一列,的行,,x\n"
                         "q6,又多一列,的行,,y\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(knowledge_dir)
    found = [(e.line, e.reason) for e in (info.value, *info.value.others)]
    assert found == [(2, "unknown platform 'amazon' (known: tmall, taobao, pdd, douyin, jd)"),
                     (4, "unknown platform 'ebay' (known: tmall, taobao, pdd, douyin, jd)"),
                     (6, "empty question for id 'q4'"),
                     (7, "expected 4 columns (id,question,answer,platforms), found 5"),
                     (8, "expected 4 columns (id,question,answer,platforms), found 5")]
