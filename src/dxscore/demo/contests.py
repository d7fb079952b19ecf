"""Lạng Sơn's online contest on digital transformation and its administrative-reform
initiatives competition (synthetic): a question bank of 30 questions, two finished
rounds with about a thousand participants across the districts and departments (results
published, prizes), an open third round, and an initiatives round with evaluations.
The units are real; every participant, answer, initiative and score is synthetic.
Stored with ``bulk_create`` so the demo builds in seconds."""

from __future__ import annotations

import datetime as dt
import random

from dxscore import contests as rules

SLUG = "lang-son-cds-2025"
ORGANISER, EVALUATORS = "steering", ("approver", "viewer")
TOPICS = {
    "cds": [
        "Chuyển đổi số gồm mấy trụ cột chính theo Chương trình chuyển đổi số quốc gia?",
        "Chính quyền số là gì?",
        "Kinh tế số đóng góp bao nhiêu phần trăm GDP vào năm 2025 theo mục tiêu quốc gia?",
        "Nền tảng số nào dùng chung cho cả tỉnh?",
        "Chữ ký số công cộng dùng để làm gì?",
        "Dữ liệu mở là gì?",
        "Kỹ năng số cơ bản của người dân gồm những gì?",
        "An toàn thông tin cấp độ là gì?",
        "Trung tâm điều hành thông minh (IOC) có nhiệm vụ gì?",
        "Tổ công nghệ số cộng đồng làm gì?",
    ],
    "cchc": [
        "Bộ phận Một cửa tiếp nhận hồ sơ theo quy định nào?",
        "Dịch vụ công trực tuyến toàn trình là gì?",
        "Thời hạn giải quyết thủ tục hành chính được tính từ khi nào?",
        "Người dân nộp hồ sơ trực tuyến ở đâu?",
        "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính nhằm mục đích gì?",
        "Chỉ số PAR Index đo lường điều gì?",
        "Chỉ số SIPAS đo lường điều gì?",
        "Thanh toán trực tuyến phí, lệ phí thực hiện qua đâu?",
        "Cải cách thể chế là gì?",
        "Ai chịu trách nhiệm khi hồ sơ bị trễ hạn?",
    ],
    "de06": [
        "Đề án 06 là đề án về nội dung gì?",
        "Căn cước điện tử (VNeID) mức 2 dùng để làm gì?",
        "Cơ sở dữ liệu quốc gia về dân cư do cơ quan nào quản lý?",
        "Có thể dùng VNeID thay thẻ bảo hiểm y tế không?",
        "Tích hợp giấy phép lái xe vào VNeID có giá trị gì?",
        "Đề án 06 có mấy nhóm tiện ích?",
        "Xác thực điện tử là gì?",
        "Ai được cấp tài khoản định danh điện tử?",
        "Làm sạch dữ liệu dân cư nghĩa là gì?",
        "Số định danh cá nhân có bao nhiêu chữ số?",
    ],
}
INITIATIVES = [
    ("Số hóa sổ hộ tịch cấp xã bằng ứng dụng chụp ảnh", "20-D05", "district"),
    ("Kiosk hướng dẫn nộp hồ sơ trực tuyến tại bộ phận Một cửa", "20-S01", "officer"),
    ("Nhắc hẹn trả kết quả qua Zalo OA của tỉnh", "20-D05", "district"),
    ("Bản đồ số các điểm phát Wi-Fi công cộng", "20-S01", "officer"),
]


def load(today: dt.date | None = None, participants: int = 1000, seed: int = 21) -> int:
    """Store the contest (once); the number of attempts stored."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from dxscore.web.contests.models import (
        Answer,
        Attempt,
        Contest,
        Option,
        Participant,
        Prize,
        Question,
        Round,
        UnitSize,
    )
    from dxscore.web.orgs.models import Unit

    if Contest.objects.filter(slug=SLUG).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    province = Unit.objects.get(code="20")
    users = get_user_model().objects
    contest = Contest.objects.create(
        slug=SLUG,
        title="Cuộc thi trực tuyến tìm hiểu chuyển đổi số, cải cách hành chính và Đề án 06 "
        "tỉnh Lạng Sơn năm 2025",
        organiser_unit=province,
        description="Dành cho cán bộ, công chức, người dân và doanh nghiệp trên địa bàn tỉnh.",
        rules_text="Mỗi tuần một vòng thi, 10 câu hỏi trong 10 phút; mỗi người một lượt mỗi "
        "vòng. Xếp hạng theo điểm, rồi theo dự đoán số người trả lời đúng tất cả các câu "
        "hỏi, rồi theo thời gian làm bài.",
        retention_until=(today or timezone.localdate()) + dt.timedelta(days=180),
    )
    contest.organisers.add(users.get(username=ORGANISER))
    correct: dict[int, set[int]] = {}
    bank = []
    for category, texts in TOPICS.items():
        for n, text in enumerate(texts, start=1):
            q = Question.objects.create(
                contest=contest,
                code=f"{category.upper()}-{n:02d}",
                text=text,
                category=category,
                difficulty=1 + n % 3,
                explanation="Xem tài liệu tuyên truyền của Ban Chỉ đạo chuyển đổi số tỉnh.",
            )
            right = rng.randrange(4)
            opts = Option.objects.bulk_create(
                Option(question=q, number=k + 1, text=f"Phương án {'ABCD'[k]}", correct=k == right)
                for k in range(4)
            )
            correct[q.pk] = {o.pk for o in opts if o.correct}
            bank.append(rules.Pick(q.pk, category, q.difficulty))
    options: dict[int, list[int]] = {}
    for qid, oid in Option.objects.filter(question__contest=contest).values_list(
        "question_id", "pk"
    ):
        options.setdefault(qid, []).append(oid)
    quotas = [
        {"count": 4, "category": "cds"},
        {"count": 3, "category": "cchc"},
        {"count": 3, "category": "de06"},
    ]
    rounds = []
    for number, (start, end) in enumerate([(-21, -14), (-14, -7), (-1, 6)], start=1):
        rounds.append(
            Round.objects.create(
                contest=contest,
                number=number,
                title=f"Tuần {number}",
                opens_at=now + dt.timedelta(days=start),
                closes_at=now + dt.timedelta(days=end),
                time_limit_seconds=600,
                quotas=quotas,
            )
        )
    units = list(Unit.objects.filter(parent=province).exclude(code="20-S15").order_by("code"))
    UnitSize.objects.bulk_create(
        UnitSize(
            contest=contest,
            unit=u,
            size=rng.randrange(60, 400) if "-S" in u.code else rng.randrange(20_000, 90_000),
        )
        for u in units
    )
    weights = [3 if "-D" in u.code else 1 for u in units]
    people = Participant.objects.bulk_create(
        Participant(
            contest=contest,
            type=rng.choice(["citizen", "citizen", "business", "official"]),
            identity=f"demo{n:04d}@example.vn",
            name=f"Người dự thi {n:04d}",
            unit=rng.choices(units, weights)[0],
            confirmed_at=now - dt.timedelta(days=22),
        )
        for n in range(participants)
    )
    made = 0
    for r, share in zip(rounds[:2], (0.6, 0.75), strict=True):
        takers = rng.sample(people, int(len(people) * share))
        attempts = []
        for p in takers:
            s = rules.seed_for(r.pk, p.pk, 1)
            drawn = rules.draw(bank, r.quota_rules(), s)
            served = r.opens_at + dt.timedelta(seconds=rng.randrange(0, 6 * 86400))
            seconds = rng.randrange(90, 590)
            attempts.append(
                Attempt(
                    round=r,
                    participant=p,
                    questions=drawn,
                    orders={str(q): rules.shuffled(options[q], s ^ q) for q in drawn},
                    served_at=served,
                    deadline=rules.deadline(served, r.time_limit_seconds, r.closes_at),
                    submitted_at=served + dt.timedelta(seconds=seconds),
                    maximum=len(drawn),
                    prediction=rng.randrange(20, 200),
                    tab_switches=rng.choice([0] * 12 + [1, 2, 5]),
                    address=f"10.20.{rng.randrange(40)}.{rng.randrange(250)}",
                )
            )
        Attempt.objects.bulk_create(attempts)
        attempts = list(Attempt.objects.filter(round=r))
        answers = []
        for a in attempts:
            skill = rng.random()
            right_n = 0
            for i, q in enumerate(a.questions):
                good = rng.random() < 0.45 + 0.5 * skill
                pick = (
                    sorted(correct[q])
                    if good
                    else [rng.choice([o for o in a.orders[str(q)] if o not in correct[q]])]
                )
                right_n += good
                answers.append(
                    Answer(
                        attempt=a,
                        question_id=q,
                        chosen=pick,
                        answered_at=a.served_at + dt.timedelta(seconds=20 + 50 * i),
                        correct=good,
                    )
                )
            a.score = a.correct_count = right_n
        Answer.objects.bulk_create(answers, batch_size=5000)
        Attempt.objects.bulk_update(attempts, ["score", "correct_count"], batch_size=2000)
        r.results_published_at = r.closes_at + dt.timedelta(hours=2)
        r.save(update_fields=["results_published_at"])
        for title, first, last in [("Giải Nhất", 1, 1), ("Giải Nhì", 2, 3), ("Giải Ba", 4, 8)]:
            Prize.objects.create(contest=contest, round=r, title=title, first=first, last=last)
        made += len(attempts)
    Prize.objects.create(contest=contest, title="Giải toàn cuộc thi", first=1, last=3)
    _initiatives(province, today or timezone.localdate())
    return made


def _initiatives(province, today: dt.date) -> None:
    from django.contrib.auth import get_user_model

    from dxscore.web.contests import initiatives
    from dxscore.web.contests.models import Assignment, Initiative, InitiativeRound
    from dxscore.web.data.methodologies import store
    from dxscore.web.data.models import Methodology
    from dxscore.web.orgs.models import Unit

    users = get_user_model().objects
    rubric = Methodology.objects.filter(code="initiative-rubric").first() or store(
        initiatives.RUBRIC_EXAMPLE, purpose="initiatives rubric"
    )
    competition = InitiativeRound.objects.create(
        title="Hội thi sáng kiến cải cách hành chính tỉnh Lạng Sơn năm 2025",
        organiser_unit=province,
        rubric=rubric,
        period=str(today.year),
        closes_on=today + dt.timedelta(days=20),
        aggregation="trimmed_mean",
    )
    competition.organisers.add(users.get(username=ORGANISER))
    rng = random.Random(7)
    for n, (title, unit, author) in enumerate(INITIATIVES, start=1):
        initiative = Initiative.objects.create(
            round=competition,
            code=f"SK-{n:03d}",
            title=title,
            problem="Người dân phải đi lại nhiều lần; hồ sơ giấy khó tra cứu.",
            solution="Ứng dụng nền tảng số dùng chung của tỉnh, hướng dẫn từng bước.",
            effect="Giảm thời gian giải quyết, tăng tỷ lệ hồ sơ trực tuyến.",
            unit=Unit.objects.get(code=unit),
            submitted_by=users.get(username=author),
        )
        for name in (ORGANISER, *EVALUATORS):
            evaluator = users.get(username=name)
            Assignment.objects.create(
                initiative=initiative,
                evaluator=evaluator,
                scores={
                    "novelty": rng.randrange(12, 30),
                    "effect": rng.randrange(15, 40),
                    "scope": rng.randrange(10, 30),
                },
                comment="Có tính khả thi.",
                scored_at=dt.datetime.now(dt.UTC),
            )
