"""A least-recently-used cache: what the path searches keep (trees, finished paths, goal boxes).

``functools.lru_cache`` wraps a function; these caches are filled by methods that also count their
searches and are looked into without a search (``in``, ``peek``), so they hold their items themselves.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class LRU(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        """The item, now the most recently used; None when it is not held."""
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def peek(self, key: K) -> V:
        """The item, leaving the order as it was (KeyError when not held)."""
        return self._items[key]

    def put(self, key: K, value: V) -> V:
        """Hold ``value``, dropping the least recently used item when over size; returns ``value``."""
        self._items[key] = value
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return value

    def __contains__(self, key: object) -> bool:
        return key in self._items

    def __len__(self) -> int:
        return len(self._items)
