"""The assessors' questionnaire: one definition of its questions, from which the XLSForm
(for ODK Collect or KoboToolbox) is written and the returns are read and checked. The
household facts, the two no-worries and three guarantees with safe water, income, the
exclusion rules, the satisfaction questions, and the assessor's own verdict."""

from __future__ import annotations

from dataclasses import dataclass

YES_NO = ("yes", "no")
SATISFACTION = ("1", "2", "3")  # satisfied, basically satisfied, not satisfied
VERDICTS = ("poor", "not_poor")
GUARANTEES = ("food_secure", "clothing_secure", "education_ok", "medical_ok",
              "housing_safe", "water_safe")
SATISFIED = ("satisfied_policy", "satisfied_help", "satisfied_exit", "satisfied_cadres")
CHOICES = {
    "yes_no": [("yes", "是", "Yes"), ("no", "否", "No")],
    "satisfaction": [("1", "满意", "Satisfied"), ("2", "基本满意", "Basically satisfied"),
                     ("3", "不满意", "Not satisfied")],
    "verdict": [("poor", "应为贫困户", "Poor: qualifies"),
                ("not_poor", "不应为贫困户", "Not poor: does not qualify")],
}


@dataclass(frozen=True)
class Question:
    name: str
    kind: str  # integer, decimal, date, text, or a list of CHOICES
    zh: str
    en: str
    required: bool = True
    exited_only: bool = False


QUESTIONS = (
    Question("assessor", "text", "评估员", "Assessor"),
    Question("visited_on", "date", "入户日期", "Day of the visit"),
    Question("members", "integer", "家庭人口（人）", "Members of the household"),
    Question("income_per_capita", "decimal", "上年人均纯收入（元）",
             "Net income per person last year (yuan)"),
    Question("food_secure", "yes_no", "不愁吃", "Enough food"),
    Question("clothing_secure", "yes_no", "不愁穿", "Enough clothing"),
    Question("education_ok", "yes_no", "义务教育有保障", "Compulsory schooling secured"),
    Question("medical_ok", "yes_no", "基本医疗有保障", "Basic medical care secured"),
    Question("housing_safe", "yes_no", "住房安全有保障", "Safe housing"),
    Question("water_safe", "yes_no", "饮水安全有保障", "Safe drinking water"),
    Question("excluded", "yes_no", "有车辆、经营、财政供养人员或城镇购房等排除情形",
             "An exclusion holds (car, business, public employee, house in town)"),
    Question("satisfied_policy", "satisfaction", "对扶贫政策的满意度",
             "Satisfaction with the policies"),
    Question("satisfied_help", "satisfaction", "对帮扶工作的满意度",
             "Satisfaction with the help"),
    Question("satisfied_exit", "satisfaction", "对脱贫退出的满意度",
             "Satisfaction with the exit", exited_only=True),
    Question("satisfied_cadres", "satisfaction", "对驻村干部的满意度",
             "Satisfaction with the village's cadres"),
    Question("verdict", "verdict", "评估员判断", "The assessor's verdict"),
    Question("note", "text", "说明（判断与标准不同时必填）",
             "Note (needed where the verdict differs from the standard's)", required=False),
)
COLUMNS = ("household_id", *(q.name for q in QUESTIONS))
