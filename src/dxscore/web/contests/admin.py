from django.contrib import admin

from dxscore.web.contests import models


class RoundInline(admin.TabularInline):
    model = models.Round
    extra = 0


class PrizeInline(admin.TabularInline):
    model = models.Prize
    extra = 0


@admin.register(models.Contest)
class ContestAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "organiser_unit", "retention_until")
    filter_horizontal = ("organisers",)
    inlines = [RoundInline, PrizeInline]


class OptionInline(admin.TabularInline):
    model = models.Option
    extra = 0


@admin.register(models.Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("code", "contest", "category", "difficulty", "kind")
    list_filter = ("contest", "category", "difficulty")
    inlines = [OptionInline]


@admin.register(models.UnitSize)
class UnitSizeAdmin(admin.ModelAdmin):
    list_display = ("contest", "unit", "size")


@admin.register(models.InitiativeRound)
class InitiativeRoundAdmin(admin.ModelAdmin):
    list_display = ("title", "organiser_unit", "closes_on", "blind", "aggregation")
    filter_horizontal = ("organisers",)
