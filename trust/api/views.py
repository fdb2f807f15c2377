from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from halobuzz.core.api.serializers import ErrorSerializer
from trust.api.serializers import ReportRequestSerializer, ReportSerializer
from trust.services.reports import report_target

ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    404: ErrorSerializer,
    409: ErrorSerializer,
    429: ErrorSerializer,
}


class ReportView(APIView):
    """Report a stream, a chat message or an account to HaloBuzz's moderators."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=ReportRequestSerializer, responses={201: ReportSerializer, **ERRORS})
    def post(self, request):
        serializer = ReportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = report_target(reporter=request.user, **serializer.validated_data)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
