"""Request and response bodies, with explicit limits and Chinese examples for the OpenAPI docs.

Requests refuse unknown fields, so a misspelt field ("mesage") is an error, not a silent default,
and are strict about types: "limit": "3" or "debug": "yes" is a mistake to report, not to guess at.
Responses are documented here but returned as the core's own `to_dict()`, which is the contract
shared with `suggest ask --json`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from suggest.config import MAX_TEXT_CHARS, PLATFORMS

# Generous caps: the core enforces the configured message length with a clear message; these
# only bound what is parsed at all (the body limit bounds it again).
MAX_ID = 64
MAX_HISTORY = 50
PLATFORM_HELP = f"平台：{', '.join(f'{k}（{v}）' for k, v in PLATFORMS.items())}"


def _examples(*examples: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", strict=True, json_schema_extra={"examples": list(examples)})


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    role: Literal["customer", "agent"]
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)


class SuggestRequest(BaseModel):
    model_config = _examples(
        {"message": "亲，能开发票吗？", "platform": "tmall", "shop": "qingzhou"},
        {
            "message": "这件T恤什么时候发货呀",
            "platform": "pdd",
            "shop": "qingzhou",
            "product": "tee-basic",
            "history": [{"role": "customer", "text": "在吗"}, {"role": "agent", "text": "亲，在的呢"}],
            "limit": 3,
        },
    )
    message: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="顾客的消息")
    platform: str | None = Field(None, min_length=1, max_length=32, description=PLATFORM_HELP + "；默认 tmall")
    shop: str | None = Field(None, min_length=1, max_length=MAX_ID, description="店铺 id；默认知识库里的第一家店")
    product: str | None = Field(None, min_length=1, max_length=MAX_ID, description="正在咨询的商品 id")
    # null is accepted as "absent" for every optional field, as JSON writers send it for a None.
    history: list[Turn] | None = Field(
        None, max_length=MAX_HISTORY,
        description="此前的对话，最早的在前；消息和 product 都没说是哪款商品时，用顾客最近提到的那款",
    )
    limit: int | None = Field(None, ge=1, le=20, description="最多返回几条建议（默认 3）")
    debug: bool | None = Field(None, description="同时返回被合规规则过滤掉的候选（dropped）；默认 false")


class SourceOut(BaseModel):
    kind: Literal["template", "faq"]
    id: str


class SuggestionOut(BaseModel):
    text: str
    score: float = Field(description="校准后的概率，0–1")
    source: SourceOut


class DroppedOut(BaseModel):
    source: SourceOut
    text: str
    rules: list[str]


class SuggestResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "message": "亲，能开发票吗？",
        "suggestions": [{
            "text": "亲，可以开发票的哦～本店可以开电子普通发票，个人或单位抬头都可以",
            "score": 0.91,
            "source": {"kind": "template", "id": "invoice-how"},
        }],
        "platform": "tmall",
        "shop": "qingzhou",
        "product": None,
        "needs_human": False,
        "flags": [],
        "request_id": "5b0c6f1e9a7d4c2b8e3f0a1d2c3b4a59",
    }]})
    message: str
    suggestions: list[SuggestionOut]
    platform: str
    shop: str | None
    product: str | None
    needs_human: bool
    flags: list[str]
    dropped: list[DroppedOut] | None = Field(None, description="只在 debug 为 true 时出现")
    request_id: str


class CheckRequest(BaseModel):
    model_config = _examples({"text": "亲，加我微信私聊，给您便宜点", "platform": "pdd"})
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="要检查的回复")
    platform: str = Field(min_length=1, max_length=32, description=PLATFORM_HELP)
    shop: str | None = Field(None, min_length=1, max_length=MAX_ID, description="店铺 id（店铺自己的规则）")


class ViolationOut(BaseModel):
    rule: str
    message: str
    span: list[int] = Field(description="[起, 止)，原文中的字符位置")
    severity: str
    action: str


class CheckResponse(BaseModel):
    # What CheckRequest's example really gets with the default knowledge (tests/test_api.py checks it).
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "ok": False,
        "violations": [
            {"rule": "contact-wechat", "message": "不能留微信或引导买家加微信、关注公众号，沟通和交易都要在平台内完成。",
             "span": [2, 6], "severity": "critical", "action": "drop"},
            {"rule": "pdd-forbidden-words",
             "message": "拼多多聊天中不能出现\"微信\"\"支付宝\"\"QQ\"及其产品（花呗、余额宝等）或以其他平台命名的快递等字眼（系统会识别处罚），付款和补偿都走平台。",
             "span": [4, 6], "severity": "critical", "action": "drop"},
            {"rule": "offline-payment", "message": "不能让买家线下付款或转账到个人账户、银行卡、微信、支付宝；所有付款都要在平台下单完成。",
             "span": [6, 13], "severity": "critical", "action": "drop"},
        ],
    }]})
    ok: bool
    violations: list[ViolationOut]


class FeedbackRequest(BaseModel):
    model_config = _examples(
        {
            "request_id": "5b0c6f1e9a7d4c2b8e3f0a1d2c3b4a59",
            "message": "亲，能开发票吗？",
            "platform": "tmall",
            "shop": "qingzhou",
            "shown": ["invoice-how", "invoice-special"],
            "outcome": "sent",
            "source": "invoice-how",
        },
        {
            "request_id": "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a",
            "message": "发票抬头开错了能重开吗",
            "platform": "pdd",
            "shown": ["invoice-how"],
            "outcome": "edited",
            "source": "invoice-how",
            "sent_text": "亲，可以的，麻烦把正确的抬头和税号发给我，帮您重新开具",
        },
        {
            "request_id": "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d",
            "message": "你们仓库周日上班吗",
            "platform": "tmall",
            "shown": [],
            "outcome": "none",
            "sent_text": "亲，周日仓库正常发货的哦",
        },
    )
    request_id: str = Field(min_length=1, max_length=MAX_ID,
                            description="/v1/suggest 返回的 request_id；每个请求只记一条反馈，原样重试返回 200 和原来的 id")
    message: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="顾客的消息")
    platform: str = Field(min_length=1, max_length=32, description=PLATFORM_HELP)
    shop: str | None = Field(None, min_length=1, max_length=MAX_ID)
    shown: list[Annotated[str, Field(min_length=1, max_length=MAX_ID)]] | None = Field(
        None, max_length=20,
        description="展示给客服的建议的 source.id，按展示顺序；每个 id 只出现一次，且须是当前知识库里的回复",
    )
    outcome: Literal["sent", "edited", "none"] = Field(
        description="sent：原样发送（若带 sent_text，须与建议文字一致）；edited：修改后发送（需 sent_text）；none：没有使用任何建议"
    )
    source: str | None = Field(None, min_length=1, max_length=MAX_ID, description="被发送或修改的那条建议的 source.id")
    sent_text: str | None = Field(None, min_length=1, max_length=MAX_TEXT_CHARS, description="客服最终发出的文字")


class FeedbackResponse(BaseModel):
    id: int
    request_id: str


class AutoReplyRequest(BaseModel):
    model_config = _examples(
        # Off duty, its best reply under the auto-send threshold: the off-hours message, as in
        # AutoReplyResponse's first example ("亲，能开发票吗？" would be sent its answer).
        {"message": "衣服小了想换大一码", "platform": "pdd", "shop": "qingzhou", "conversation": "pdd-8812-buyer-1",
         "at": "2026-03-01T23:40:00+08:00"},
        {"message": "再不退款我就去12315投诉", "platform": "tmall", "shop": "qingzhou", "conversation": "tm-20931",
         "at": "2026-03-02T02:15"},
        {"message": "在吗？", "platform": "tmall", "shop": "qingzhou", "conversation": "tm-20931",
         "at": "2026-03-02T15:03:00+08:00", "unanswered_since": "2026-03-02T15:00:00+08:00"},
    )
    message: str = Field(min_length=1, max_length=MAX_TEXT_CHARS, description="顾客的消息")
    platform: str = Field(min_length=1, max_length=32, description=PLATFORM_HELP)
    shop: str = Field(min_length=1, max_length=MAX_ID, description="店铺 id（决定排班和时区）")
    conversation: str = Field(min_length=1, max_length=128, description="会话 id：同一会话的提示语只发一次，同一条回复不重复发")
    at: str | None = Field(
        None, min_length=1, max_length=64,
        description="消息时间，ISO 8601；不带时区按店铺时区理解，带时区则换算；默认为当前时间",
    )
    unanswered_since: str | None = Field(
        None, min_length=1, max_length=64,
        description="顾客从何时起一直没有得到客服回复（ISO 8601，默认等于 at）；用于在岗时“超时未回复”的兜底",
    )
    product: str | None = Field(None, min_length=1, max_length=MAX_ID, description="正在咨询的商品 id")
    history: list[Turn] | None = Field(
        None, max_length=MAX_HISTORY,
        description="此前的对话，最早的在前；消息和 product 都没说是哪款商品时，用顾客最近提到的那款（同 /v1/suggest）",
    )


class AutoReplyResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [
        {"send": True, "text": "亲，现在是客服休息时间，您的留言我们都能看到，客服明天09:30上线后会按顺序第一时间回复您～",
         "reason": "off_hours", "request_id": "5b0c6f1e9a7d4c2b8e3f0a1d2c3b4a59"},
        {"send": False, "text": None, "reason": "on_duty", "request_id": "0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a"},
    ]})
    send: bool = Field(description="是否由系统直接发送 text")
    text: str | None = Field(description="要发送的文字；send 为 false 时为 null")
    reason: Literal["answer", "needs_human", "off_hours", "agent_busy", "on_duty", "already_notified",
                    "not_configured"] = Field(description="原因，见 docs/autoreply.md")
    request_id: str


class ErrorDetail(BaseModel):
    code: str = Field(description="机器可读的错误码，如 validation_error、unknown_scope、payload_too_large")
    message: str = Field(description="给开发者看的说明")
    file: str | None = Field(None, description="知识库错误：出错的文件")
    line: int | None = Field(None, description="知识库错误：出错的行")
    details: list[dict[str, str]] | None = Field(None, description="校验错误：每个字段的问题")


class ErrorResponse(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "error": {"code": "unknown_scope", "message": "unknown shop 'xyz'; known shops: qingzhou"},
        "request_id": "5b0c6f1e9a7d4c2b8e3f0a1d2c3b4a59",
    }]})
    error: ErrorDetail
    request_id: str


class ReloadResponse(BaseModel):
    state: Literal["idle", "running", "succeeded", "failed"]
    started_at: str | None
    finished_at: str | None
    error: dict[str, Any] | None
    serving: dict[str, Any]
