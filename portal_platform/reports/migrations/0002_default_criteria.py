"""The default evaluation criteria (Decision 80/2025 Đ14.4.e): the provincial unit renames,
reweighs or switches them off in the console; each code names a measure in
``portal_platform.reports.evaluation``."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("update_frequency", "Tần suất cập nhật tin bài", "Số tin bài đăng trong kỳ so với mức tối thiểu mỗi tuần.", "2"),
    (
        "section_coverage",
        "Đủ nội dung bắt buộc (Nghị định 42/2022, Điều 4)",
        "Tỷ lệ nhóm thông tin bắt buộc có trên cổng: giới thiệu, chức năng nhiệm vụ, cơ cấu tổ chức, lãnh đạo, "
        "liên hệ, người phát ngôn, tin tức, văn bản, lịch công tác.",
        "2",
    ),
    ("background_freshness", "Thông tin nền được cập nhật", "Tỷ lệ trang thông tin nền được xác nhận còn đúng trong kỳ rà soát.", "1"),
    ("answer_timeliness", "Trả lời hỏi đáp đúng hạn", "Tỷ lệ câu hỏi được trả lời đúng hạn; câu hỏi quá hạn chưa trả lời bị trừ.", "2"),
    ("legal_document_timeliness", "Đăng văn bản kịp thời", "Tỷ lệ văn bản được đăng trong số ngày quy định kể từ ngày ban hành.", "1"),
    ("english_coverage", "Thông tin tiếng Anh", "Giới thiệu, chức năng nhiệm vụ, cơ cấu tổ chức và cán bộ đầu mối có bản tiếng Anh (Nghị định 42/2022, Điều 7).", "1"),
    ("accessibility", "Khả năng tiếp cận", "Tỷ lệ nội dung đăng trong kỳ đạt kiểm tra tiếp cận: ảnh có mô tả thay thế, tiêu đề đúng cấp.", "1"),
    ("backups_verified", "Sao lưu được kiểm tra", "Sao lưu đều đặn trong kỳ, được kiểm tra sau khi tải lên và diễn tập khôi phục đạt.", "1"),
    ("uptime", "Hoạt động ổn định", "Tỷ lệ thời gian cổng hoạt động, trừ thời gian gián đoạn do sự cố.", "1"),
]


def add_defaults(apps, schema_editor):
    Criterion = apps.get_model("reports", "Criterion")
    for order, (code, name, description, weight) in enumerate(DEFAULTS, start=1):
        Criterion.objects.get_or_create(
            code=code, defaults={"name": name, "description": description, "weight": Decimal(weight), "order": order}
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
