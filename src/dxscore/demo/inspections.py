"""Lạng Sơn's digital inspection pilot (synthetic): the five pilot agencies (the
provincial inspectorate, the Departments of Planning and Investment and of Information
and Communications, Cao Lộc district and Lạng Sơn city), the inspectorate's 2025 plan,
twelve inspections at every stage, and recommendations in every status. The agencies
are real; every inspection, finding and amount is synthetic."""

from __future__ import annotations

import datetime as dt

INSPECTORATE = ("20-S15", "Thanh tra tỉnh Lạng Sơn")
PILOT = ["20-S15", "20-S04", "20-S01", "20-D05", "20-D01"]
LEADER, INSPECTOR = "chanh_thanh_tra", "thanh_tra_vien"
TOPICS = [
    ("Quản lý, sử dụng ngân sách chi thường xuyên", "20-S04"),
    ("Đầu tư công các dự án chuyển đổi số", "20-S01"),
    ("Giải quyết thủ tục hành chính trên cổng dịch vụ công", "20-D05"),
    ("Quản lý đất đai và cấp giấy chứng nhận", "20-D01"),
    ("Công tác phòng, chống tham nhũng", "20-S04"),
    ("Mua sắm thiết bị công nghệ thông tin", "20-S01"),
    ("Thu, chi quỹ phát triển đất", "20-D01"),
    ("Thực hiện chính sách hỗ trợ doanh nghiệp", "20-S04"),
    ("Quản lý chất lượng công trình xây dựng", "20-D05"),
    ("Cấp phép viễn thông và báo chí", "20-S01"),
    ("Tiếp công dân, giải quyết khiếu nại", "20-D05"),
    ("Quản lý tài sản công", "20-D01"),
]


def units() -> None:
    """The provincial inspectorate, beside Lạng Sơn's departments (before the people)."""
    from dxscore.web.orgs.models import Level, Unit

    code, name = INSPECTORATE
    if not Unit.objects.filter(code=code).exists():
        level = Level.objects.get_or_create(name="department", defaults={"depth": 2})[0]
        Unit.objects.create(code=code, name=name, level=level, parent=Unit.objects.get(code="20"))


def load(admin, today: dt.date | None = None) -> int:
    """Store the pilot (once); the number of inspections stored."""
    from django.contrib.auth import get_user_model

    from dxscore.web.inspections.models import (
        ExtensionRequest,
        Finding,
        ImplementationReport,
        Inspection,
        InspectionPlan,
        Inspector,
        PlannedInspection,
        Recommendation,
        TeamMember,
    )
    from dxscore.web.orgs.models import Unit

    today = today or dt.date.today()
    units()
    body = Unit.objects.get(code=INSPECTORATE[0])
    if InspectionPlan.objects.filter(body=body, year=2025).exists():
        return 0
    people = get_user_model().objects
    leader, inspector = people.get(username=LEADER), people.get(username=INSPECTOR)
    Inspector.objects.get_or_create(user=leader, body=body, defaults={"leader": True})
    Inspector.objects.get_or_create(user=inspector, body=body)
    pilot = {u.code: u for u in Unit.objects.filter(code__in=PILOT)}
    plan = InspectionPlan.objects.create(
        body=body,
        year=2025,
        title="Kế hoạch thanh tra năm 2025",
        state="amended",
        approved_on=dt.date(2024, 12, 15),
        approved_by=leader,
        amendment_note="Bổ sung cuộc thanh tra quản lý tài sản công (quý IV).",
    )

    def on(day: dt.date) -> dt.date | None:
        return day if day <= today else None

    made = 0
    statuses = iter(
        ["implemented", "partly", "in_progress", "overdue", "not_implemented", "implemented"] * 4
    )
    for k, (topic, subject) in enumerate(TOPICS):
        item = PlannedInspection.objects.create(
            plan=plan,
            number=k + 1,
            topic=topic,
            period_inspected="2023-2024",
            quarter=min(4, k // 3 + 1),
        )
        item.subjects.add(pilot[subject])
        decided = dt.date(2025, 1, 10) + dt.timedelta(days=25 * k)
        stage = (len(TOPICS) - 1 - k) % 7 if k >= 6 else 6  # the first six are published
        offsets = [2, 34, 45, 58, 70, 80][:stage]  # announcement ... publication
        dates = [on(decided + dt.timedelta(days=d)) for d in offsets] + [None] * (6 - len(offsets))
        if None in dates:  # a stage after today: the later ones are not done either
            first = dates.index(None)
            dates = dates[:first] + [None] * (6 - first)
        inspection = Inspection.objects.create(
            body=body,
            planned=item,
            topic=topic,
            scope=f"Giai đoạn 2023-2024 tại {pilot[subject].name}",
            decision_number=f"{k + 10}/QĐ-TTr",
            decided_on=decided,
            signer="Chánh Thanh tra tỉnh",
            time_limit_days=30,
            extension_days=15 if k == 3 else 0,
            extension_reason="Hồ sơ nhiều, cần thêm thời gian xác minh" if k == 3 else "",
            announced_on=dates[0],
            onsite_ended_on=dates[1],
            reported_on=dates[2],
            drafted_on=dates[3],
            concluded_on=dates[4],
            published_on=dates[5],
            conclusion_number=f"{k + 10}/KL-TTr" if dates[3] else "",
            conclusion=(
                f"Kết luận thanh tra {topic.lower()} tại {pilot[subject].name}: "
                "cơ bản chấp hành quy định; còn một số tồn tại, sai phạm nêu tại kết luận."
            )
            if dates[3]
            else "",
            created_by=leader,
        )
        inspection.subjects.add(pilot[subject])
        TeamMember.objects.create(
            inspection=inspection, user=inspector, role="lead", declared_on=decided
        )
        TeamMember.objects.create(
            inspection=inspection,
            user=leader,
            role="member",
            declared_on=decided,
            conflict="Người thân làm việc tại đơn vị" if k == 5 else "",
        )
        made += 1
        if dates[1] is None:
            continue
        finding = Finding.objects.create(
            inspection=inspection,
            number=1,
            kind="financial",
            description="Chi sai chế độ, thanh toán vượt định mức",
            amount=120_000_000 + 10_000_000 * k,
            responsible_unit=pilot[subject],
        )
        Finding.objects.create(
            inspection=inspection,
            number=2,
            kind="procedure",
            description="Hồ sơ không đầy đủ theo quy trình",
            responsible_unit=pilot[subject],
        )
        if dates[4] is None:
            continue
        for n, kind in enumerate(("financial", "administrative"), start=1):
            status = next(statuses)
            future = today + dt.timedelta(days=45)
            past = max(dates[4] + dt.timedelta(days=10), today - dt.timedelta(days=30))
            past = min(past, today - dt.timedelta(days=1))
            deadline = future if status in ("partly", "in_progress") else past
            amount = finding.amount if kind == "financial" else None
            rec = Recommendation.objects.create(
                inspection=inspection,
                number=n,
                finding=finding if kind == "financial" else None,
                kind=kind,
                text=(
                    f"Thu hồi nộp ngân sách {amount:,} đồng".replace(",", ".")
                    if kind == "financial"
                    else "Kiểm điểm trách nhiệm tập thể, cá nhân có liên quan"
                ),
                addressee_unit=pilot[subject],
                amount=amount,
                deadline=deadline,
            )
            report_day = min(today, dates[4] + dt.timedelta(days=5))
            if status in ("implemented", "partly", "overdue"):
                whole = status == "implemented"
                ImplementationReport.objects.create(
                    recommendation=rec,
                    reported_on=report_day,
                    text="Đã thực hiện, kèm chứng từ" if whole else "Đã thực hiện một phần",
                    recovered=(amount if whole else amount // 2) if amount else 0,
                    complete=whole,
                    evidence_link="https://langson.gov.vn/thanh-tra/chung-tu",
                    state="approved",
                    reported_by=admin,
                    reviewed_by=inspector,
                    reviewed_on=report_day,
                )
            if status == "in_progress" and k % 2:
                ExtensionRequest.objects.create(
                    recommendation=rec,
                    new_deadline=deadline + dt.timedelta(days=60),
                    reason="Đang làm thủ tục thu hồi",
                    requested_by=admin,
                )
    return made
