"""Component ids, kebab-case, in one place."""

MAP_GRAPH = "map-graph"
INDICATOR_SELECT = "indicator-select"
YEAR_SELECT = "year-select"
NATIONAL_SUMMARY = "national-summary"
MAP_TITLE = "map-title"
LANG_STORE = "lang-store"
