from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from dxscore.web.orgs.models import Level, Person, Unit, UnitChange, UnitGroup


@admin.register(Level)
class LevelAdmin(admin.ModelAdmin):
    list_display = ("name", "depth")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "level", "parent", "valid_from", "valid_to")
    list_filter = ("level",)
    search_fields = ("code", "name")
    autocomplete_fields = ("parent",)


@admin.register(UnitChange)
class UnitChangeAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "source", "target", "share")
    list_filter = ("kind", "date")
    search_fields = ("source__code", "source__name", "target__code", "target__name")
    autocomplete_fields = ("source", "target")


@admin.register(UnitGroup)
class UnitGroupAdmin(admin.ModelAdmin):
    list_display = ("kind", "code", "name")
    filter_horizontal = ("units",)


class PersonInline(admin.StackedInline):
    model = Person
    can_delete = False
    autocomplete_fields = ("entry_scope", "view_scope")


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PersonUserAdmin(UserAdmin):
    inlines = (PersonInline,)
    list_display = ("username", "first_name", "last_name", "is_active", "role")

    @admin.display(description="role")
    def role(self, obj):
        person = getattr(obj, "person", None)
        return person.get_role_display() if person else ""
