"""The interface in Chinese (the default) and English: one catalog, keyed by message id.

Codes of the data standard (statuses, causes, roles...) are translated through the same
catalog with their code as the id; an unknown id shows as itself.
"""

from __future__ import annotations

LANGUAGES = ("zh", "en")
DEFAULT = "zh"
COOKIE = "pc_lang"

MESSAGES: dict[str, tuple[str, str]] = {  # id: (Chinese, English)
    "app": ("扶贫云", "povertycloud"),
    "portal": ("公开信息", "Public portal"),
    "dashboard": ("工作台", "Dashboard"),
    "search": ("搜索", "Search"),
    "complaints": ("投诉举报", "Complaints"),
    "audit": ("审计日志", "Audit log"),
    "flags": ("核查任务", "Verification tasks"), "rule": ("规则", "Rule"),
    "evidence": ("证据", "Evidence"), "outcome": ("核查结果", "Outcome"),
    "confirmed": ("属实", "Confirmed"), "false_alarm": ("不属实", "False alarm"),
    "exempt": ("符合豁免", "Exempt"),
    "users": ("用户", "Users"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "username": ("用户名", "Username"),
    "password": ("密码", "Password"),
    "bad_login": ("用户名或密码错误", "Wrong username or password"),
    "too_many": ("尝试次数过多,请稍后再试", "Too many attempts; try again later"),
    "households": ("户数", "Households"),
    "people": ("人数", "People"),
    "people_registered_poor": ("建档立卡贫困人口", "Registered poor people"),
    "incidence": ("贫困发生率", "Poverty incidence"),
    "households_exited": ("已脱贫户", "Exited households"),
    "households_monitored": ("监测户", "Monitored households"),
    "as_of": ("截至", "As of"),
    "trend": ("历年变化", "Trend over the years"),
    "map": ("地图", "Map"),
    "by_proposal": ("识别结果", "Identification"),
    "by_cause": ("主要致贫原因", "Primary cause"),
    "by_guarantee": ("未达标的保障", "Failing guarantees"),
    "by_band": ("评分档次", "Score band"),
    "regions_below": ("下级区域", "Regions below"),
    "region": ("区域", "Region"),
    "export_csv": ("导出 CSV", "Export CSV"),
    "export_xlsx": ("导出 Excel", "Export Excel"),
    "filter": ("筛选", "Filter"),
    "household_file": ("一户一档", "Household file"),
    "members": ("家庭成员", "Members"),
    "name": ("姓名", "Name"),
    "id_number": ("身份证号", "ID number"),
    "relation": ("与户主关系", "Relation"),
    "birth_date": ("出生日期", "Birth date"),
    "phone": ("联系电话", "Phone"),
    "address": ("住址", "Address"),
    "village": ("村", "Village"),
    "status": ("状态", "Status"),
    "score": ("评分", "Score"),
    "band": ("档次", "Band"),
    "points": ("得分", "Points"),
    "causes": ("致贫原因", "Causes"),
    "measures": ("帮扶措施", "Measures"),
    "priority": ("优先级", "Priority"),
    "history": ("状态历史", "Status history"),
    "events": ("事件", "Events"),
    "surveys": ("年度调查", "Annual surveys"),
    "unmask": ("查看完整信息(将记录审计)", "Show full details (audited)"),
    "masked_note": ("敏感信息已遮盖", "Sensitive details are masked"),
    "print": ("打印", "Print"),
    "search_hint": ("姓名、拼音、身份证号、户编号或村名",
                    "Name, pinyin, ID number, household number or village"),
    "no_results": ("没有结果", "No results"),
    "file_complaint": ("投诉举报", "File a complaint or report"),
    "track_complaint": ("查询办理进度", "Follow a complaint"),
    "tracking_code": ("查询码", "Tracking code"),
    "category": ("类别", "Category"),
    "subject": ("标题", "Subject"),
    "body": ("内容", "Details"),
    "contact": ("联系方式(可不填,匿名)", "Contact (optional; leave empty to stay anonymous)"),
    "submit": ("提交", "Submit"),
    "filed": ("已受理,请保存查询码", "Received. Keep your tracking code"),
    "due": ("办理期限", "Due"),
    "answer": ("答复", "Answer"),
    "answered": ("已答复", "Answered"),
    "open": ("办理中", "Open"),
    "overdue": ("已超期", "Overdue"),
    "filed_at": ("提交时间", "Filed"),
    "announcements": ("公告", "Announcements"),
    "announce": ("在公开信息发布公告", "Publish an announcement on the portal"),
    "suppressed": ("少于10的数字不公布", "Counts below 10 are not published"),
    "action": ("操作", "Action"),
    "when": ("时间", "When"),
    "who": ("人员", "Who"),
    "object": ("对象", "Object"),
    "role": ("角色", "Role"),
    "create_user": ("新建用户", "Create user"),
    "not_found": ("未找到", "Not found"),
    "forbidden": ("无权访问", "Not allowed"),
    "language": ("English", "中文"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    "education": ("文化程度", "Education"), "labour": ("劳动能力", "Labour capacity"),
    "chronic": ("慢性病", "Chronic illness"), "serious": ("大病", "Serious illness"),
    "disability_grade": ("残疾等级", "Disability grade"),
    "insured": ("基本医保", "Medical insurance"), "year": ("年份", "Year"),
    "wage": ("工资性收入", "Wages"), "business": ("经营性收入", "Business"),
    "transfer": ("转移性收入", "Transfers"), "housing": ("住房等级", "Housing grade"),
    "water": ("水源", "Water source"), "amount": ("金额", "Amount"),
    # relations
    "head": ("户主", "Head"), "spouse": ("配偶", "Spouse"), "child": ("子女", "Child"),
    "child_in_law": ("儿媳/女婿", "Child-in-law"), "grandchild": ("孙子女", "Grandchild"),
    "parent": ("父母", "Parent"), "grandparent": ("祖父母", "Grandparent"),
    "sibling": ("兄弟姐妹", "Sibling"),
    # roles
    "officer": ("干部", "Officer"),
    "field_officer": ("驻村工作队员", "Field officer"),
    "auditor": ("审计人员", "Auditor"),
    "assessor": ("第三方评估人员", "Third-party assessor"),
    "admin": ("管理员", "Administrator"),
    # levels
    "province": ("省", "Province"), "prefecture": ("市", "Prefecture"),
    "county": ("县", "County"), "township": ("乡镇", "Township"),
    # proposals and statuses
    "poor": ("贫困", "Poor"), "at_risk": ("有返贫致贫风险", "At risk"),
    "not_poor": ("非贫困", "Not poor"), "registered_poor": ("建档立卡", "Registered poor"),
    "not_registered": ("未建档", "Not registered"), "monitored": ("监测", "Monitored"),
    "exited": ("已脱贫", "Exited"), "removed": ("已清退", "Removed"),
    # causes
    "illness": ("因病", "Illness"), "disability": ("因残", "Disability"),
    "schooling": ("因学", "Schooling"), "disaster": ("因灾", "Disaster"),
    "marriage": ("因婚", "Marriage"), "lack_of_land": ("缺土地", "Lack of land"),
    "lack_of_water": ("缺水", "Lack of water"), "lack_of_skills": ("缺技术", "Lack of skills"),
    "lack_of_capital": ("缺资金", "Lack of capital"),
    "lack_of_labour": ("缺劳力", "Lack of labour"),
    "poor_transport": ("交通条件落后", "Poor transport"),
    "weak_motivation": ("自身发展动力不足", "Weak motivation"), "other": ("其他", "Other"),
    # guarantees
    "food": ("不愁吃", "Food"), "clothing": ("不愁穿", "Clothing"),
    "compulsory_education": ("义务教育", "Compulsory education"),
    "basic_medical": ("基本医疗", "Basic medical care"),
    "safe_housing": ("住房安全", "Safe housing"), "safe_water": ("饮水安全", "Safe water"),
    # complaint categories
    "identification": ("识别不准", "Identification"), "assistance": ("帮扶措施", "Assistance"),
    "funds": ("资金使用", "Funds"), "conduct": ("干部作风", "Conduct of officials"),
}


def translate(key: object, lang: str) -> str:
    """The message ``key`` in ``lang`` (the key itself when unknown)."""
    entry = MESSAGES.get(str(key))
    if entry is None:
        return str(key)
    return entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]


def pick(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT
