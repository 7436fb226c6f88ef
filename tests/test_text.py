from suggest.text import Tokenizer, normalize
from suggest.text.normalize import fold


def test_normalize_folds_width_case_traditional_emoji_and_fillers():
    assert normalize("亲 在吗 能开票不") == "在吗 能开票不"
    assert normalize("[微笑]亲亲，ＸＬ码有吗？？？") == "xl码有吗"
    assert normalize("請問什麼時候發貨啊～😊") == "请问什么时候发货"
    assert normalize("好的呀 谢谢亲") == "好的 谢谢亲"


def test_normalize_keeps_words_that_contain_particles():
    assert "吧台" in normalize("吧台呢子大衣有货吗")
    assert normalize("呢子大衣") == "呢子大衣"


def test_nothing_left_of_emoji_only_or_punctuation_only():
    assert normalize("😊😊👍") == ""
    assert normalize("？？？。。。") == ""
    assert normalize("\u200b\u200d") == ""


def test_fold_keeps_meaning_but_not_form():
    assert fold("ＳＦ能發嗎") == "sf能发吗"


def test_synonyms_and_stopwords():
    tok = Tokenizer()
    a = tok.analyze("sf能发吗")
    assert a.canonical == "顺丰能发吗"
    assert "顺丰" in a.terms and "发货" in a.terms
    assert Tokenizer().analyze("加个vx呗").canonical == "加个微信"
    assert "尺码" in Tokenizer().analyze("衣服小了想换大一码").terms


def test_product_names_join_the_dictionary():
    tok = Tokenizer(extra_words=["雾霾蓝卫衣"])
    assert "雾霾蓝卫衣" in tok.analyze("雾霾蓝卫衣还有吗").terms
