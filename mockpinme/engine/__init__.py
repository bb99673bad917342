"""The engine: what each request is answered, decided without writing a byte.

A session per scenario in use, the chat pipeline (:func:`mockpinme.engine.answer.answer`), PinMe's
gate, rule matching, rate limits, the journal and the reply cache. Imports only the shapes
(:mod:`mockpinme.openrouter`) and the scenario model below it.
"""
