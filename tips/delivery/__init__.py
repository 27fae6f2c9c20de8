"""Tip delivery (issue 14): the outbox in ``tip_sends``, compact payloads, MQTT topics and the publisher."""
