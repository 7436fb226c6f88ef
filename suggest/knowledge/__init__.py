"""The shop's knowledge: shops, products, quick-reply templates and FAQ spreadsheets."""

from suggest.knowledge.fill import fill
from suggest.knowledge.hours import Shift, ShopHours
from suggest.knowledge.loader import load_knowledge, shop_ids
from suggest.knowledge.model import Entry, KnowledgeBase, Product, Shop

__all__ = ["Entry", "KnowledgeBase", "Product", "Shift", "Shop", "ShopHours", "fill", "load_knowledge", "shop_ids"]
