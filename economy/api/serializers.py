from django.conf import settings
from rest_framework import serializers


class GiftSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField(help_text="In the request's language.")
    icon = serializers.CharField(help_text="An emoji, shown when there is no image.")
    image = serializers.URLField(allow_null=True)
    animation = serializers.CharField(help_text="The CSS animation's name.")
    tier = serializers.ChoiceField(choices=["small", "medium", "large", "legendary"])
    full_screen = serializers.BooleanField(help_text="Large and legendary gifts fill the screen.")
    price_coins = serializers.IntegerField()


class SendGiftSerializer(serializers.Serializer):
    stream = serializers.IntegerField(min_value=1)
    gift = serializers.IntegerField(min_value=1)
    quantity = serializers.IntegerField(
        min_value=1, max_value=settings.GIFT_MAX_QUANTITY, default=1
    )
    combo = serializers.IntegerField(
        min_value=1,
        max_value=settings.GIFT_MAX_COMBO,
        default=1,
        help_text="The sender's streak of quick repeats, shown in the animation.",
    )


class SentGiftSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The ledger transaction.")
    stream = serializers.IntegerField()
    gift = GiftSerializer()
    quantity = serializers.IntegerField()
    combo = serializers.IntegerField()
    coins_spent = serializers.IntegerField()
    balance = serializers.IntegerField(help_text="The sender's coins right after this gift.")
    sent_at = serializers.DateTimeField()


class WalletSerializer(serializers.Serializer):
    coins = serializers.IntegerField()
    diamonds = serializers.IntegerField()
    coin_debt = serializers.IntegerField(help_text="Coins owed after a refunded purchase.")


class LeaderboardRowSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    user_id = serializers.IntegerField()
    username = serializers.CharField()
    name = serializers.CharField()
    score = serializers.IntegerField(help_text="Coins given, or diamonds earned.")
