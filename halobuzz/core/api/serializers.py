from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer, documented once for the schema."""

    code = serializers.CharField()
    message = serializers.CharField()
    extra = serializers.DictField()
