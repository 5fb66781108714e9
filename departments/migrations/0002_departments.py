"""The 34 departments of Taiwan e-Hospital, busiest first (slugs used across the project)."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

DEPARTMENTS = [
    ('obstetrics-gynecology', 'Obstetrics and Gynecology', '婦產科'),
    ('urology', 'Urology', '泌尿科'),
    ('gastroenterology', 'Gastroenterology and Hepatology', '肝膽腸胃科'),
    ('dermatology', 'Dermatology', '皮膚科'),
    ('orthopedics', 'Orthopedics', '骨科'),
    ('ophthalmology', 'Ophthalmology', '眼科'),
    ('general-surgery', 'General Surgery', '外科'),
    ('internal-medicine', 'Internal Medicine', '內科'),
    ('otolaryngology', 'Otolaryngology (ENT)', '耳鼻喉科'),
    ('psychiatry', 'Psychiatry', '精神科'),
    ('dentistry', 'Dentistry', '牙科'),
    ('neurology', 'Neurology', '神經內科'),
    ('cardiology', 'Cardiology', '心臟血管專科'),
    ('family-medicine', 'Family Medicine', '家醫科'),
    ('pediatrics', 'Pediatrics', '兒科'),
    ('pulmonology', 'Pulmonology (Chest Medicine)', '胸腔內科'),
    ('rehabilitation', 'Physical Medicine and Rehabilitation', '復健科'),
    ('nutrition', 'Nutrition', '營養教室'),
    ('oncology', 'Oncology', '腫瘤科'),
    ('neurosurgery', 'Neurosurgery', '神經外科'),
    ('pharmacy', 'Medications and Pharmacy', '藥物'),
    ('traditional-chinese-medicine', 'Traditional Chinese Medicine', '中醫科'),
    ('breast-thyroid-surgery', 'Breast and Thyroid Surgery', '乳房甲狀腺科'),
    ('plastic-surgery', 'Plastic Surgery', '整型外科'),
    ('rare-diseases', 'Rare Diseases', '罕見疾病'),
    ('radiology', 'Radiology', '放射線科'),
    ('physical-fitness', 'Physical Fitness', '體適能'),
    ('smoking-cessation', 'Smoking Cessation', '戒菸'),
    ('anesthesiology', 'Anesthesiology', '麻醉科'),
    ('geriatrics', 'Geriatrics', '高年科'),
    ('influenza', 'Influenza and COVID-19', '流感諮詢'),
    ('nuclear-medicine', 'Nuclear Medicine', '核子醫學科'),
    ('diving-medicine', 'Diving and Hyperbaric Medicine', '潛水醫學科'),
    ('hansens-disease', "Hansen's Disease", '漢生病'),
]


def create_departments(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    Department = apps.get_model("departments", "Department")
    for position, (slug, name_en, name_zh_hant) in enumerate(DEPARTMENTS):
        Department.objects.update_or_create(
            slug=slug,
            defaults={"name_en": name_en, "name_zh_hant": name_zh_hant, "position": position},
        )


def delete_departments(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("departments", "Department").objects.filter(
        slug__in=[slug for slug, _, _ in DEPARTMENTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("departments", "0001_initial")]
    operations = [migrations.RunPython(create_departments, delete_departments)]
