"""suggest: reply suggestions for online-shop customer service.

Importing the package is cheap: no model, index or jieba dictionary is loaded until used.
"""

__version__ = "0.1.0"
