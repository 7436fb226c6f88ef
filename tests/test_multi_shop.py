"""One merchant, several shops: a product's `shops:` (two shops sell different things, and
neither shop's buyers may be matched to, or answered with the facts of, the other shop's
products), and a shop listed first that lacks facts the others have."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from suggest.api import create_app
from suggest.autoreply import AutoReplier
from suggest.config import Settings
from suggest.engine import Suggester
from suggest.errors import ComplianceError, KnowledgeError, ScopeError
from suggest.feedback import FeedbackStore
from suggest.index.views import answer_text
from suggest.knowledge import load_knowledge
from suggest.knowledge.gaps import fact_gaps
from suggest.knowledge.names import shared_names

SECOND_SHOP = ("id: second\nname: 第二家店\nplatforms: [douyin]\nfacts:\n  ship_time: 付款后48小时内发货\n"
               "  couriers: 韵达\n  invoice: 可以开电子发票\n  returns: 七天无理由\n")
KETTLE = ("- id: kettle\n  name: 电热水壶\n  aliases: [水壶, 短袖]\n  shops: [second]\n  facts:\n"
          "    ship_time: 付款后10天内发货\n")  # 10 days breaks a tmall rule; the kettle is sold on douyin only


def _two_shops(knowledge_dir: Path, product: str = KETTLE) -> Path:
    (knowledge_dir / "shops" / "second.yaml").write_text(SECOND_SHOP, encoding="utf-8")
    items = knowledge_dir / "products" / "items.yaml"
    tee_in_demo = items.read_text(encoding="utf-8").replace("  aliases: [短袖, 白T]\n", "  aliases: [短袖, 白T]\n  shops: [demo]\n")
    items.write_text(tee_in_demo + product, encoding="utf-8")
    return knowledge_dir


def test_a_product_is_found_only_in_the_shops_that_sell_it(settings: Settings, embedder, knowledge_dir: Path):
    _two_shops(knowledge_dir)
    suggester = Suggester.open(settings, embedder=embedder)
    assert suggester.suggest("水壶几天发货", platform="douyin", shop="second").product == "kettle"
    assert suggester.suggest("水壶几天发货", platform="tmall", shop="demo").product is None
    # 短袖 is the tee's alias in demo and the kettle's (oddly) in second: each shop's own product.
    assert suggester.suggest("短袖几天发货", platform="tmall", shop="demo").product == "tee"
    assert suggester.suggest("短袖几天发货", platform="douyin", shop="second").product == "kettle"
    # The conversation named the kettle earlier: still not the demo shop's product.
    assert suggester.suggest("几天发货", platform="tmall", shop="demo", history=["水壶还有吗"]).product is None


def test_another_shops_product_is_refused_with_who_sells_it(settings: Settings, embedder, knowledge_dir: Path,
                                                           tmp_path: Path):
    _two_shops(knowledge_dir)
    suggester = Suggester.open(settings, embedder=embedder)
    with pytest.raises(ScopeError, match=r"product 'kettle' is not sold by shop 'demo' \(it is sold by second\)"):
        suggester.suggest("几天发货", platform="tmall", shop="demo", product="kettle")
    with pytest.raises(ScopeError, match="not sold by shop 'demo'"):
        AutoReplier(suggester).reply(FeedbackStore(tmp_path / "log.sqlite3"), "几天发货", "tmall", "demo", "c1",
                                     product="kettle")
    with TestClient(create_app(settings, suggester)) as client:
        response = client.post("/v1/suggest", json={"message": "几天发货", "platform": "tmall", "shop": "demo",
                                                    "product": "kettle"})
        assert response.status_code == 422 and "not sold by shop 'demo'" in response.json()["error"]["message"]
        ok = client.post("/v1/suggest", json={"message": "几天发货", "platform": "douyin", "shop": "second",
                                              "product": "kettle"})
        assert ok.status_code == 200 and "10天" in ok.json()["suggestions"][0]["text"]


def test_a_product_is_checked_against_the_rules_of_its_own_shops_only(settings: Settings, embedder,
                                                                      knowledge_dir: Path):
    """Ten days without 预售 breaks a Tmall rule: fine for a douyin shop's kettle, an error at the
    fact's line for a kettle every shop sells."""
    Suggester.open(settings, embedder=embedder)
    items = _two_shops(knowledge_dir) / "products" / "items.yaml"
    Suggester.open(settings, embedder=embedder)
    items.write_text(items.read_text(encoding="utf-8").replace("  shops: [second]\n", ""), encoding="utf-8")
    with pytest.raises(ComplianceError, match=r"fact 'ship_time' of product 'kettle'") as caught:
        Suggester.open(settings, embedder=embedder)
    assert caught.value.path.endswith("items.yaml")


def test_an_unknown_shop_of_a_product_is_an_error_at_its_line(knowledge_dir: Path):
    items = knowledge_dir / "products" / "items.yaml"
    lines = items.read_text(encoding="utf-8").count("\n")
    items.write_text(items.read_text(encoding="utf-8") + KETTLE, encoding="utf-8")
    with pytest.raises(KnowledgeError, match="product 'kettle' names unknown shop 'second' \\(known shops: demo\\)") as caught:
        load_knowledge(knowledge_dir)
    assert caught.value.line == lines + 4


def test_build_warnings_follow_the_shops_a_product_is_sold_in(knowledge_dir: Path):
    templates = knowledge_dir / "templates" / "main.yaml"
    templates.write_text(templates.read_text(encoding="utf-8") + "- id: material-tmall\n  platforms: [tmall]\n"
                         "  questions: [什么面料]\n  answer: 亲，这款是{material}的哦。\n", encoding="utf-8")
    kb = load_knowledge(_two_shops(knowledge_dir))
    assert shared_names(kb) == []  # 短袖 is the tee's in demo and the kettle's in second: no clash
    # A tmall template never reaches the douyin shop's kettle.
    assert [line for line in fact_gaps(kb) if "kettle" in line] == [
        "product 'kettle' has no fact size_advice: templates size are not suggested for it"]
    items = knowledge_dir / "products" / "items.yaml"
    items.write_text(items.read_text(encoding="utf-8").replace("  shops: [second]\n", "  shops: [second, demo]\n"),
                     encoding="utf-8")
    kb = load_knowledge(knowledge_dir)
    assert shared_names(kb) == ["products 'tee', 'kettle' share the name '短袖' in shop 'demo': a message using it "
                                "is taken as naming no product"]
    assert [line for line in fact_gaps(kb) if "kettle" in line] == [
        "product 'kettle' has no fact material, size_advice: templates material-tmall, size are not suggested for it"]


def test_a_first_shop_without_a_fact_does_not_take_the_answer_from_the_others(settings: Settings, embedder,
                                                                              knowledge_dir: Path):
    """The answer's words are indexed once, filled from a shop's facts: from the first shop only,
    a template that shop cannot fill had no words, and every shop's buyers lost it."""
    (knowledge_dir / "shops" / "aaa.yaml").write_text("id: aaa\nname: 先列出的店\nplatforms: [tmall]\nfacts:\n"
                                                       "  ship_time: 付款后48小时内发货\n", encoding="utf-8")
    kb = load_knowledge(knowledge_dir)
    assert kb.default_shop.id == "aaa"
    courier = next(i for i, e in enumerate(kb.entries) if e.id == "courier-sf")
    assert answer_text(kb, courier) == "亲，默认中通、圆通，可补差价发顺丰。"  # demo's facts: aaa has no couriers
    ship = next(i for i, e in enumerate(kb.entries) if e.id == "ship-time")
    assert answer_text(kb, ship) == "亲，这款付款后48小时内发货哦。"  # the first shop's, when it has them
    suggester = Suggester.open(settings, embedder=embedder)
    first = suggester.suggest("能发顺丰吗", platform="tmall", shop="demo").suggestions[0]
    assert first.source.id == "courier-sf" and first.text == "亲，默认中通、圆通，可补差价发顺丰。"
