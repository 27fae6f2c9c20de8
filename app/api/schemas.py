"""Shapes of the JSON the APIs answer, as pydantic models: the OpenAPI document's schemas come from here.

These models document (they are not used to build answers), so they allow extra
fields: a new field in an answer is not a breaking change. The contract tests
(tests/api/test_contract.py) check every answer against them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Level = Literal["department", "province", "district"]
Indicator = Literal["anemia", "stunting"]
Method = Literal["model", "direct"]
Lang = Literal["es", "en"]
AgeGroup = Literal["6-35", "6-59"]


class Doc(BaseModel):
    model_config = ConfigDict(extra="allow")


class Error(Doc):
    """Every error under /api and /admin/api, whatever the status."""

    error: str = Field(description="short machine-readable code: not_found, bad_request, method_not_allowed, ...")
    message: str = Field(description="what went wrong and what to do, for people")
    parameter: str | None = Field(None, description="the query parameter at fault (400)")
    allowed: list | None = Field(None, description="the values the parameter accepts (400)")


# --- query parameters -----------------------------------------------------------------------------


class LevelQuery(Doc):
    level: Level = "department"


class IndicatorsQuery(Doc):
    level: Level = "department"
    indicator: Indicator = "anemia"
    year: int | None = Field(None, description="survey year (ASCII digits); default: the latest")
    age_group: AgeGroup = "6-35"


class EstimatesQuery(Doc):
    level: Level = "department"
    indicator: Indicator = "anemia"
    method: Method = "model"
    year: int | None = Field(
        None, description="model: any year the active model estimates (2015-2024); direct: any survey year"
    )


class ExplanationQuery(Doc):
    indicator: Indicator = "anemia"
    lang: Lang = "es"
    year: int | None = Field(None, description="a year the active model estimates; the latest when omitted")


class LangQuery(Doc):
    lang: Lang = "es"


class CompareQuery(Doc):
    a: str = Field(description="model version, e.g. v1")
    b: str = Field(description="model version, e.g. v2")
    level: Level = "department"
    indicator: Indicator = "anemia"
    year: int | None = Field(None, description="a year both versions estimate; the latest such year when omitted")


class AuditQuery(Doc):
    limit: int = Field(50, ge=1, le=500)


# --- answers ---------------------------------------------------------------------------------------


class SurveyInfo(Doc):
    version: str
    rows: int
    years: list[int]


class Health(Doc):
    status: Literal["ok"]
    version: str
    survey: SurveyInfo
    regions: dict[str, int]


class Region(Doc):
    ubigeo: str
    name: str
    department_ubigeo: str
    department_name: str
    province_ubigeo: str | None
    province_name: str | None
    capital: str | None
    category: str | None
    has_geometry: bool
    population_2025: float | None
    lat: float | None
    lon: float | None


class Estimate(Doc):
    ubigeo: str
    name: str
    department_ubigeo: str | None
    province_ubigeo: str | None
    estimate: float | None = Field(description="percent of children")
    ci_low: float | None
    ci_high: float | None
    n: int | None = Field(description="unweighted sample size (direct estimates)")
    flag: str | None


class DirectEstimate(Estimate):
    se: float | None
    deff: float | None


class MethodEstimate(Estimate):
    year: int | None
    method: Method


class Contribution(Doc):
    feature: str
    label: str
    value: float
    feature_value: float
    text: str


class Explanation(Doc):
    ubigeo: str
    name: str
    level: Level
    indicator: Indicator
    model_version: str
    base_value: float | None
    prediction: float | None
    contributions: list[Contribution]


class ExportMeta(Doc):
    title: str
    source: str
    method: Method
    model_version: str
    columns: dict[str, str]


class Me(Doc):
    username: str


class Dataset(Doc):
    id: int
    sha256: str
    files: list[str]
    rows: int
    years: list[int]
    status: str
    report: dict


class Run(Doc):
    id: int
    status: str
    progress: float


class ModelVersion(Doc):
    version: str


class Activation(Doc):
    active: str
    previous: str | None


class AuditEntry(Doc):
    action: str


class SurveyRejected(Error):  # noqa: N818
    problems: list[dict]


class RunParams(Doc):
    epochs: int | None = None
    members: int | None = None
    dataset_id: int | None = None
