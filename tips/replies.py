"""Automatic SMS replies to keywords (each one GSM-7 segment; tests/tips/test_bank.py checks them)."""

from __future__ import annotations

REPLIES: dict[str, dict[str, str]] = {
    "leave": {
        "es": "NutriMapa: ya no te enviaremos consejos. Para volver a recibirlos responde ALTA.",
        "en": "NutriMapa: you will get no more tips. To receive them again reply ALTA.",
    },
    "rejoin": {
        "es": "NutriMapa: hola de nuevo. Cada semana te enviaremos un consejo para tu niño. Para salir responde BAJA.",
        "en": "NutriMapa: welcome back. Every week you will get a tip for your child. To leave reply BAJA.",
    },
    "feedback": {
        "es": "NutriMapa: gracias por tu respuesta. Nos ayuda a mejorar los consejos.",
        "en": "NutriMapa: thank you for your answer. It helps us improve the tips.",
    },
    "help": {
        "es": "NutriMapa: consejos semanales de salud para tu niño. Responde 1 si el consejo te ayuda, 2 si no, "
        "BAJA para salir, ALTA para volver.",
        "en": "NutriMapa: weekly health tips for your child. Reply 1 if a tip helped, 2 if not, BAJA to leave, "
        "ALTA to come back.",
    },
    "unknown": {
        "es": "NutriMapa: este celular no figura en la lista. Pide a tu centro de salud que te inscriba.",
        "en": "NutriMapa: this number is not enrolled. Ask your health centre to enrol you.",
    },
}

KEYWORDS = {
    "BAJA": "leave",
    "STOP": "leave",
    "SALIR": "leave",
    "ALTA": "rejoin",
    "START": "rejoin",
    "1": "useful",
    "2": "not_useful",
    "AYUDA": "help",
    "HELP": "help",
}
