"""The admin shows surveys and their structure, and the invitations (who was asked, and
only whether they answered). Responses and answers are deliberately not registered: the
admin must offer no path from a person to what they answered (tests/evaluation check it)."""

from django.contrib import admin

from evaluation.models import EvaluatorAssignment, Question, Section, Survey, SurveyInvitation


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "cohort", "kind", "state", "opens", "closes")
    list_filter = ("kind", "state")
    inlines = [SectionInline]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "section", "type", "required", "order")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ("survey", "participation", "has_answered", "answered_on")
    # The token hash is of no use to anyone reading the admin.
    exclude = ("token_hash",)
    readonly_fields = ("has_answered", "answered_on")


@admin.register(EvaluatorAssignment)
class EvaluatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ("cohort", "user")
