"""The memory stream: what each person has seen, said, planned and concluded.

- ``types``       Memory, ScoredMemory, RetrievalWeights and the MemoryStore protocol (stdlib only)
- ``embedders``   Embedder protocol; WordLlama (offline, from its wheel), hashing, callable; make_embedder
- ``importance``  heuristic_importance(kind, text) -> 1..10 when no LLM rates a memory
- ``retrieval``   Park et al.'s recency + importance + relevance score, in numpy
- ``mem_store``   InMemoryStore: numpy only, the reference implementation
- ``lance_store`` LanceMemoryStore: one LanceDB database per world (the only ``import lancedb``)

Nothing is imported here, so ``engine.memory.types`` stays cheap to import.
"""
