"""REST API of the evaluation (console host, operators: console token or session): the criteria and
their weights, computing the scores of a period, and the ranking with each portal's weakest
criteria."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal_platform.errors import ValidationFailed
from portal_platform.reports import periods
from portal_platform.reports.evaluation import (
    CriterionChange,
    RankingRow,
    criteria_list,
    criteria_update,
    evaluation_compute,
    evaluation_ranking,
)
from portal_platform.reports.periods import Period

TAGS = ["evaluation"]
PERIOD_HELP = "A month (2025-03), a quarter (2025-Q1), a calendar year (2025) or a reporting year (R2025)."


class CriterionOutput(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="names the measure; fixed")
    name = serializers.CharField()
    description = serializers.CharField(help_text="how it is measured")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2)
    is_active = serializers.BooleanField()
    order = serializers.IntegerField()


class CriterionScoreOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(help_text="as it was when the score was computed")
    weight = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="as it was when computed")
    score = serializers.FloatField(allow_null=True, help_text="0–100; null: not applicable")
    share = serializers.FloatField(help_text="percent of the total this criterion carried after renormalisation")
    explanation = serializers.CharField()


class WeakOutput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField()
    score = serializers.FloatField()
    explanation = serializers.CharField()


class RankingOutput(serializers.Serializer[Any]):
    rank = serializers.IntegerField()
    portal_id = serializers.IntegerField()
    portal_name = serializers.CharField()
    portal_abbreviation = serializers.CharField()
    portal_kind = serializers.CharField()
    total = serializers.DecimalField(max_digits=5, decimal_places=2)
    computed_at = serializers.DateTimeField()
    weakest = WeakOutput(many=True, help_text="up to three applicable criteria below full marks, lowest first")
    criteria = CriterionScoreOutput(many=True)


class ScoresOutput(serializers.Serializer[Any]):
    period = serializers.CharField()
    period_label = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    results = RankingOutput(many=True)


def ranking_data(period: Period, rows: list[RankingRow]) -> dict[str, Any]:
    results = [
        {
            "rank": row.rank,
            "portal_id": row.portal.pk,
            "portal_name": row.portal.name,
            "portal_abbreviation": row.portal.abbreviation,
            "portal_kind": row.portal.kind,
            "total": row.evaluation.total,
            "computed_at": row.evaluation.computed_at,
            "weakest": row.weakest,
            "criteria": [{**part, "share": part.get("share", 0.0)} for part in row.criteria()],
        }
        for row in rows
    ]
    data: dict[str, Any] = ScoresOutput(
        {
            "period": period.key,
            "period_label": period.label,
            "start": period.start,
            "end": period.end,
            "results": results,
        }
    ).data
    return data


def _weight(value: Any, code: str) -> Decimal:
    try:
        weight = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValidationFailed(
            _("The weight of “%(code)s” must be a number from 0 to 999.99.") % {"code": code},
            code="invalid_weight",
            extra={"field": "weight", "criterion": code},
        ) from None
    return weight


class CriterionChangeInput(serializers.Serializer[Any]):
    code = serializers.CharField()
    name = serializers.CharField(required=False, allow_blank=True)
    weight = serializers.CharField(required=False, help_text="a number from 0 to 999.99 (0: shown, not counted)")
    is_active = serializers.BooleanField(required=False)


class CriteriaUpdateInput(serializers.Serializer[Any]):
    criteria = CriterionChangeInput(many=True, allow_empty=False)


class EvaluationComputeInput(serializers.Serializer[Any]):
    period = serializers.CharField(help_text=PERIOD_HELP)


class CriteriaApi(APIView):
    @extend_schema(
        operation_id="evaluation_criteria_list",
        tags=TAGS,
        summary="The evaluation criteria",
        description="Every criterion with its weight and whether it is in use, in display order.",
        responses=CriterionOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        return Response(CriterionOutput(criteria_list(), many=True).data)

    @extend_schema(
        operation_id="evaluation_criteria_update",
        tags=TAGS,
        summary="Rename, reweigh or switch criteria on and off",
        description=(
            'Body: {"criteria": [{"code", "name"?, "weight"?, "is_active"?}]}. All or nothing. Errors: '
            "invalid_weight (not a number from 0 to 999.99), invalid_name (empty), criterion_not_found, "
            "no_active_criterion (no criterion would be in use with a weight above zero). Scores already "
            "computed keep the weights they were computed with until computed again."
        ),
        request=CriteriaUpdateInput,
        responses=CriterionOutput(many=True),
    )
    def patch(self, request: Request) -> Response:
        data = CriteriaUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        changes = []
        for given in data.validated_data["criteria"]:
            changes.append(
                CriterionChange(
                    code=given["code"],
                    name=given.get("name"),
                    weight=_weight(given["weight"], given["code"]) if "weight" in given else None,
                    is_active=given.get("is_active"),
                )
            )
        return Response(CriterionOutput(criteria_update(changes=changes), many=True).data)


class EvaluationComputeApi(APIView):
    @extend_schema(
        operation_id="evaluation_compute",
        tags=TAGS,
        summary="Compute every portal's score for a period",
        description=(
            "Scores every portal with a schema against the criteria in use and stores the results "
            "(computing again replaces them). Answers with the ranking. Errors: invalid_period, "
            "no_active_criterion."
        ),
        request=EvaluationComputeInput,
        responses=ScoresOutput,
    )
    def post(self, request: Request) -> Response:
        data = EvaluationComputeInput(data=request.data)
        data.is_valid(raise_exception=True)
        period = periods.parse(data.validated_data["period"])
        evaluation_compute(period=period)
        return Response(ranking_data(period, evaluation_ranking(period=period)))


class EvaluationScoresApi(APIView):
    @extend_schema(
        operation_id="evaluation_scores",
        tags=TAGS,
        summary="The ranking of the portals for a period",
        description=(
            "Portals by total score, best first (equal totals share a rank), each with its criteria's "
            "scores and explanations and its weakest criteria. Empty results: not computed yet."
        ),
        parameters=[OpenApiParameter("period", str, required=True, description=PERIOD_HELP)],
        responses=ScoresOutput,
    )
    def get(self, request: Request) -> Response:
        period = periods.parse(request.query_params.get("period", ""))
        return Response(ranking_data(period, evaluation_ranking(period=period)))
