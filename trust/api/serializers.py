from rest_framework import serializers

from trust.models import Case, Report
from trust.models.cases import NOTE_MAX_LENGTH


class ReportRequestSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=Case.TargetKind.choices)
    target_id = serializers.IntegerField(min_value=1)
    reason = serializers.ChoiceField(choices=Report.Reason.choices)
    note = serializers.CharField(max_length=NOTE_MAX_LENGTH, required=False, allow_blank=True)


class ReportSerializer(serializers.ModelSerializer):
    target_kind = serializers.CharField(source="case.target_kind")

    class Meta:
        model = Report
        fields = ["id", "target_kind", "reason", "note", "created_at"]
