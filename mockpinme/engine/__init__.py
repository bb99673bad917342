"""The engine: what each request is answered, decided without writing a byte.

A session per scenario in use, the chat pipeline (:func:`mockpinme.engine.answer.answer`), PinMe's
gate, rule matching, rate limits, the journal and the reply cache; beside the chat answer,
send_email (:mod:`.email`, the outbox) and the auth proxy (:mod:`.authcalls`: users, links,
tokens). Imports only the shapes (:mod:`mockpinme.openrouter`) and the scenario model below it.
"""
