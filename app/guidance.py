"""What can be done about each driver of risk: guidance shown on region pages and in reports."""

# What a health official can do about each driver (general public-health guidance from MINSA's anemia and
# child-nutrition programmes; qualitative, no figures).
ACTIONS = {
    "altitude_m": {
        "es": "En altura la anemia es más frecuente: priorizar el tamizaje de hemoglobina (con ajuste por altitud), "
        "la suplementación con hierro desde los 4 meses y los alimentos de origen animal ricos en hierro.",
        "en": "Anemia is more common at altitude: prioritise hemoglobin screening (altitude-adjusted), iron "
        "supplements from 4 months and iron-rich animal-source foods.",
    },
    "wealth": {
        "es": "La pobreza pesa: articular programas sociales (Juntos, Qali Warma, Cuna Más) con los controles de "
        "crecimiento y desarrollo (CRED).",
        "en": "Poverty weighs in: link social programmes (Juntos, Qali Warma, Cuna Más) with growth and development "
        "check-ups (CRED).",
    },
    "area": {
        "es": "Zona rural: llevar los servicios a la comunidad (visitas domiciliarias, agentes comunitarios de "
        "salud), agua segura y desparasitación.",
        "en": "Rural area: take services to the community (home visits, community health workers), safe water and "
        "deworming.",
    },
    "education": {
        "es": "Educación materna: consejería nutricional práctica (sesiones demostrativas de alimentación "
        "complementaria) para madres y cuidadores.",
        "en": "Mother's education: practical nutrition counselling (complementary-feeding demonstrations) for "
        "mothers and carers.",
    },
    "age_months": {
        "es": "Muchos niños pequeños: el riesgo es mayor entre los 6 y 18 meses; asegurar lactancia materna y una "
        "alimentación complementaria rica en hierro desde los 6 meses.",
        "en": "Many young children: risk peaks at 6-18 months; ensure breastfeeding and iron-rich complementary "
        "feeding from 6 months.",
    },
    "department": {
        "es": "El efecto regional recoge lo que el modelo no mide (servicios, dieta, clima): revisar la cobertura "
        "de los programas del departamento.",
        "en": "The regional effect captures what the model does not measure (services, diet, climate): review the "
        "department's programme coverage.",
    },
}

# Where the advice differs by indicator: altitude raises stunting too, but iron is not the answer to it.
STUNTING_ACTIONS = {
    "altitude_m": {
        "es": "En las zonas altoandinas la desnutrición crónica es más frecuente: vigilar el crecimiento en cada "
        "control (CRED), asegurar la alimentación complementaria con alimentos de origen animal, agua segura y "
        "el lavado de manos.",
        "en": "Stunting is more common in the high Andes: monitor growth at every check-up (CRED), ensure "
        "complementary feeding with animal-source foods, safe water and handwashing.",
    },
    "age_months": {
        "es": "La talla se pierde sobre todo antes de los 2 años: controles de crecimiento mensuales, lactancia "
        "materna y alimentación complementaria adecuada desde los 6 meses.",
        "en": "Height is lost mostly before age 2: monthly growth check-ups, breastfeeding and adequate "
        "complementary feeding from 6 months.",
    },
}


def action(feature: str, indicator: str, lang: str = "es") -> str | None:
    """What can be done about a driver of ``indicator``; None if there is no advice for it."""
    entry = (STUNTING_ACTIONS if indicator == "stunting" else {}).get(feature) or ACTIONS.get(feature)
    return entry[lang] if entry else None
