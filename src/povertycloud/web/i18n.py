"""The interface in Chinese (the default) and English: one catalog, keyed by message id.

Codes of the data standard (statuses, causes, roles...) are translated through the same
catalog with their code as the id, or "list.code" where one code means different things in
different lists (``none`` in education and in labour capacity); an unknown id shows as
itself. Messages with values ("line.survey") are format strings over named values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..dynamic.reasons import parts_of

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
    "exempt": ("符合豁免", "Exempt"), "flag_count": ("预警数", "Flags"),
    "verified": ("已核查", "Verified"), "precision": ("准确率", "Precision"),
    "users": ("用户", "Users"),
    "sources": ("部门数据", "Department data"), "source": ("数据源", "Source"),
    "no_source": ("无（仅部门账号有数据源）", "None (department accounts only)"),
    "department": ("部门", "Department"), "table": ("数据表", "Table"),
    "schema_version": ("版本", "Schema version"), "frequency": ("频率", "Frequency"),
    "owner": ("负责单位", "Owner"), "batches": ("批次", "Batches"), "batch": ("批次", "Batch"),
    "rows": ("行数", "Rows"), "rows_in": ("收到", "Rows in"), "accepted": ("接收", "Accepted"),
    "quarantined": ("隔离", "Quarantined"), "last_received": ("最近接收", "Last received"),
    "file": ("文件", "File"), "reasons": ("隔离原因", "Reasons"), "reason": ("原因", "Reason"),
    "resolved": ("已修正", "Resolved"), "quarantine": ("隔离数据", "Quarantined rows"),
    "unchanged": ("未变", "Unchanged"),
    "quarantine_fix": ("导出修正后重新导入:", "To fix them, export, correct and reprocess:"),
    "row": ("行", "Row"), "record": ("记录", "Record"),
    "reviews": ("比对复核", "Linkage review"), "registry_person": ("系统内人员", "Registry person"),
    "probability": ("匹配概率", "Probability"), "accept": ("确认同一人", "Same person"),
    "reject": ("不是同一人", "Not the same"),
    "nothing_to_review": ("没有待复核的记录", "Nothing waiting for review"),
    "review_help": ("每条部门记录最多对应一人:确认其中一名候选人,其余候选人即被排除。绿色条为支持"
                    "同一人的证据,红色条为反对的证据。",
                    "A record is about one person at most: accepting one candidate rejects "
                    "the others. Green bars weigh for the same person, red bars against."),
    "feed_record": ("部门记录", "Department record"),
    # the departments' sources (rules/sources.yaml) and the fields of their records
    "source.public_security_deaths": ("公安 死亡注销", "Public security: deaths"),
    "source.public_security_births": ("公安 出生登记", "Public security: births"),
    "source.transport_vehicles": ("交通 机动车登记", "Transport: vehicle registrations"),
    "source.market_businesses": ("市场监管 市场主体登记", "Market: business registrations"),
    "source.medical_insurance_claims": ("医保 大病医疗费用结算",
                                        "Medical insurance: serious-illness claims"),
    "source.disaster_reports": ("应急 灾情报告", "Emergencies: disaster reports"),
    "source.public_employees": ("财政供养人员", "Public employees and officeholders"),
    "source.housing_purchases": ("住建 商品房网签备案", "Housing: purchase contracts"),
    "source.tax_records": ("税务 个人所得税汇算", "Tax: individual income tax"),
    "source.school_enrolments": ("教育 学籍", "Education: school enrolments"),
    "source.civil_affairs_assistance": ("民政 低保特困供养名册",
                                        "Civil affairs: assistance rolls"),
    "record_id": ("记录编号", "Record number"), "sex": ("性别", "Sex"),
    "death_date": ("死亡日期", "Date of death"), "child_name": ("子女姓名", "Child's name"),
    "child_id_number": ("子女身份证号", "Child's ID number"),
    "child_sex": ("子女性别", "Child's sex"), "child_birth_date": ("子女出生日期",
                                                                "Child's birth date"),
    "value_yuan": ("价值(元)", "Value (yuan)"), "registered_on": ("登记日期", "Registered on"),
    "registered_capital_yuan": ("注册资本(元)", "Registered capital (yuan)"),
    "amount_yuan": ("金额(元)", "Amount (yuan)"), "claim_date": ("结算日期", "Claim date"),
    "loss_yuan": ("损失(元)", "Loss (yuan)"), "report_date": ("报告日期", "Report date"),
    "employer": ("单位", "Employer"), "post": ("岗位", "Post"),
    "monthly_yuan": ("每月补助(元)", "Monthly allowance (yuan)"),
    "term_start": ("学期开始", "Term start"),
    "price_yuan": ("价格(元)", "Price (yuan)"), "area_m2": ("面积(平方米)", "Area (m²)"),
    "contract_date": ("合同日期", "Contract date"), "income_yuan": ("收入(元)", "Income (yuan)"),
    "tax_paid_yuan": ("已缴税额(元)", "Tax paid (yuan)"), "tax_year": ("纳税年度", "Tax year"),
    "school": ("学校", "School"), "grade": ("年级", "Grade"),
    "commercial": ("商品房", "commercial housing"),
    "resettlement": ("安置房", "resettlement housing"),
    "dibao": ("低保", "minimum living allowance"), "extreme_poverty": ("特困供养",
                                                                    "extreme poverty support"),
    "civil_servant": ("公务员", "civil servant"), "public_institution": ("事业单位",
                                                                      "public institution"),
    "state_enterprise": ("国有企业", "state enterprise"), "village_cadre": ("村干部",
                                                                          "village cadre"),
    "candidates_elsewhere": ("另有 {n} 名候选人不在您的辖区", "{n} more candidates outside "
                             "your jurisdiction"),
    "compared": ("比对项", "Compared"),
    "registry_value": ("系统内", "Registry"), "weight": ("权重", "Weight"),
    "total": ("合计", "Total"),
    "for": ("支持", "For"), "against": ("反对", "Against"),
    "waterfall_prior": ("先验(任意两条记录为同一人)", "Prior (two records at random)"),
    "review.below_threshold": ("匹配概率未达确认线", "Probability below the match threshold"),
    "review.rival": ("另有概率相近的候选人", "Another candidate almost as likely"),
    "review.twin": ("此人有双胞胎(同户同生日,姓名差一字)",
                    "The person has a twin (same household and birth date)"),
    "review.namesake": ("同村有同名者", "A namesake in the same village"),
    "contradiction.twins": ("矛盾:同户同日出生、姓名差一字,疑为双胞胎",
                            "Contradiction: one household, one birth date, names one "
                            "character apart: twins?"),
    "contradiction.birth_dates": ("矛盾:出生日期不一致", "Contradiction: the birth dates differ"),
    "shares.household": ("与另一候选人同户:是否双胞胎?",
                         "Same household as another candidate: twins?"),
    "shares.village": ("与另一候选人同村:是否同名不同人?",
                       "Same village as another candidate: namesakes?"),
    "duplicates": ("疑似重复登记", "Possibly registered twice"),
    "second_registration": ("重复登记", "Second registration"),
    "merge": ("合并", "Merge"), "on_id_number": ("身份证号相同", "same ID number"),
    "on_probabilistic": ("信息相似", "alike"),
    "daily": ("每日", "daily"), "weekly": ("每周", "weekly"), "monthly": ("每月", "monthly"),
    "quarterly": ("每季度", "quarterly"), "yearly": ("每年", "yearly"),
    "irregular": ("不定期", "irregular"),
    "login": ("登录", "Log in"),
    "logout": ("退出", "Log out"),
    "menu": ("菜单", "Menu"),
    "choose": ("请选择", "Choose"),
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
    "show": ("查看", "Show"),
    "trend": ("历年变化", "Trend over the years"),
    "map": ("地图", "Map"),
    "map_empty": ("村以下不再分区域，没有地图", "A village has no regions below it to map"),
    "by_proposal": ("识别结果", "Identification"),
    "by_cause": ("主要致贫原因", "Primary cause"),
    "by_guarantee": ("未达标的保障", "Failing guarantees"),
    "by_band": ("评分档次", "Score band"),
    "regions_below": ("下级区域", "Regions below"),
    "region": ("区域", "Region"), "client_address": ("客户端地址", "Client address"),
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
    # dynamic management: proposals and their procedures
    "inbox": ("待办", "Inbox"), "proposal": ("调整事项", "Proposal"),
    "kind": ("事项", "Kind"), "next_step": ("下一环节", "Next step"),
    "step": ("环节", "Step"), "procedure": ("办理程序", "Procedure"),
    "waiting_until": ("公示期至", "Waiting until"), "proposed": ("提出", "Proposed"),
    "proposed_by": ("提出人", "Proposed by"), "decided": ("办结", "Decided"),
    "proposal_reasons": ("理由", "Reasons"), "steps_taken": ("办理记录", "Steps taken"),
    "note": ("记录", "Note"),
    "note_hint": ("记录(民主评议须附会议纪要)", "Note (an appraisal needs its minutes)"),
    "notice_days": ("公示天数", "Days of notice"), "days": ("天", "days"),
    "take_step": ("办理", "Take this step"),
    "reject_proposal": ("不予通过(在记录中写明理由)", "Reject (give the reasons in the note)"),
    "taken_by": ("办理人", "Taken by"), "level": ("层级", "Level"),
    "nothing_waiting": ("没有待办事项", "Nothing is waiting for you"),
    "not_yours": ("此环节由他人办理", "Someone else takes this step"),
    "approval_step": ("审批(不得由提出人办理)", "Approval (not by whoever proposed it)"),
    "done": ("已完成", "Done"), "rejected": ("未通过", "Rejected"),
    "reopened": ("退回重审", "Sent back for review"), "approved": ("已批准", "Approved"),
    "pending": ("待办理", "Pending"), "objections": ("异议", "Objections"),
    "objection": ("提出异议", "Objection"),
    "kind.enrol": ("识别纳入贫困户", "enrolment as a poor household"),
    "kind.exit": ("贫困户退出", "exit from poverty"),
    "kind.monitor": ("纳入防返贫监测", "monitoring against relapse"),
    "kind.relapse": ("返贫重新纳入", "return to the registry"),
    "kind.remove": ("清退出贫困户", "removal from the registry"),
    "kind.end_monitoring": ("风险消除,解除监测", "end of monitoring"),
    "kind.village_exit": ("贫困村退出", "exit of a poor village"),
    "kind.county_exit": ("贫困县退出", "exit of a poor county"),
    # reasons, worded for the public: no illness, disability or insurance named
    "reason.no_member_alive": ("家庭成员均已不在", "no member of the household remains"),
    "reason.confirmed_conflict": ("经核实不符合条件", "found not to qualify on verification"),
    "reason.income_stably_above_line": ("收入稳定超过贫困线",
                                        "income stably above the poverty line"),
    "reason.guarantees_met": ("“两不愁三保障”已实现", "basic needs and guarantees met"),
    "reason.income_below_line": ("收入低于贫困线", "income below the poverty line"),
    "reason.income_near_line": ("收入接近贫困线", "income close to the poverty line"),
    "reason.guarantee_failed": ("“两不愁三保障”尚有未实现",
                                "a basic guarantee is not yet met"),
    "reason.sudden_hardship": ("近期遭遇突发困难", "a recent hardship"),
    "reason.risk_eliminated": ("返贫致贫风险已消除", "risk of poverty eliminated"),
    "reason.exit_criteria_met": ("各项退出标准均已达到", "every exit criterion is met"),
    "reason.moved_away": ("已迁出", "moved away"),
    "reason.seen_on_a_visit": ("走访中发现", "found on a visit"),
    # the public notice board and objections
    "notice_board": ("公示", "Public notices"), "notice_period": ("公示期", "Notice period"),
    "head_name": ("户主", "Head of household"), "member_count": ("家庭人口", "Members"),
    "file_objection": ("提出异议", "Object to this"),
    "objection_body": ("异议理由", "Your reasons"),
    "no_notices": ("目前没有公示", "Nothing is on public notice"),
    "objection_note": ("公示期内提出的异议将作为投诉受理,该事项退回重新评议。",
                       "An objection made during the notice is filed as a complaint, and the "
                       "proposal goes back for review."),
    # the household's timeline
    "timeline": ("时间线", "Timeline"), "timeline.survey": ("调查", "Survey"),
    "timeline.status": ("状态", "Status"), "timeline.event": ("事件", "Event"),
    "timeline.member": ("成员", "Member"), "timeline.household": ("户信息", "Household"),
    "timeline.flag": ("核查", "Verification"), "timeline.proposal": ("调整事项", "Proposal"),
    "timeline.step": ("办理", "Step"),
    # relapse early warning
    "monitoring": ("监测名单", "Monitoring list"), "risk": ("风险", "Risk"),
    "rank": ("村内排序", "Rank in village"),
    "no_monitoring": ("没有监测名单(尚未运行预警)",
                      "No monitoring list (the early warning has not been run)"),
    "risk.income_near_line": ("人均收入接近贫困线", "income per head close to the line"),
    "risk.income_low_before": ("前两年人均收入偏低",
                               "income per head low in the two years before"),
    "risk.income_unstable": ("人均收入较上年变化大",
                             "income per head changed sharply since last year"),
    "risk.medical_expense_high": ("医疗支出占收入比重高",
                                  "medical spending high for the income"),
    "risk.education_expense_high": ("教育支出占收入比重高",
                                    "schooling costs high for the income"),
    "risk.debt_high": ("负债占收入比重高", "debt high for the income"),
    "risk.few_assets": ("资产或牲畜少", "few assets or livestock"),
    "risk.little_land": ("人均耕地少", "little land per head"),
    "risk.household_size": ("家庭人口规模", "size of the household"),
    "risk.lack_of_labour": ("劳动力少", "few members able to work"),
    "risk.many_dependants": ("老人儿童多", "many children or elderly"),
    "risk.illness_in_household": ("家庭成员患大病或慢性病",
                                  "a member seriously or chronically ill"),
    "risk.disability": ("家庭成员残疾", "a member with a disability"),
    "risk.serious_illness": ("本年患大病", "serious illness this year"),
    "risk.disaster": ("本年受灾", "hit by a disaster this year"),
    "risk.job_loss": ("本年有成员失业", "a member lost a job this year"),
    "risk.death_in_household": ("本年家庭成员去世", "a death in the household this year"),
    "risk.birth": ("本年新增人口", "a birth this year"),
    "risk.exited_household": ("已脱贫(脱贫不稳定)", "exited the registry (unstable exit)"),
    "risk.registered_poor": ("建档立卡贫困户", "registered poor"),
    "risk.monitored": ("已是监测对象", "already monitored"),
    "risk.removed_from_registry": ("曾被清退", "removed from the registry"),
    "risk.living_conditions": ("住房、饮水或吃穿无保障",
                               "housing, water, food or clothing insecure"),
    "risk.village_poverty": ("所在村为贫困村", "a poor village"),
    # villages' and counties' life cycle
    "region_status": ("贫困村、县状态", "Villages and counties"),
    "exit_criteria": ("退出标准", "Exit criteria"), "criteria_met": ("达到", "Met"),
    "since": ("起始", "Since"), "consolidating_until": ("巩固期至", "Consolidating until"),
    "exit_proposed": ("已申请退出", "Exit proposed"), "consolidating": ("巩固期", "Consolidating"),
    "estimate": ("估计", "estimate"),
    "criterion.registered_incidence": ("贫困发生率", "Registered incidence"),
    "criterion.integrated_incidence": ("综合贫困发生率(估计)", "Integrated incidence (estimate)"),
    "criterion.wrong_exit": ("错退率(估计)", "Wrong-exit rate (estimate)"),
    "criterion.missed": ("漏评率(估计)", "Missed rate (estimate)"),
    "criterion.approval": ("群众认可度", "Public approval"),
    # numbers, money, empty tables
    "money": ("{amount} 元", "{amount} yuan"), "empty": ("没有记录", "Nothing to show"),
    "of": ("/", "of"),
    # score bands
    "band.impoverished": ("贫困档", "Impoverished"),
    "band.likely_impoverished": ("疑似贫困档", "Likely impoverished"),
    "band.out_of_poverty": ("非贫困档", "Out of poverty"),
    # education, labour capacity, disability, sex, terrain
    "education.none": ("未上学", "No schooling"), "preschool": ("学前", "Preschool"),
    "primary": ("小学", "Primary"), "junior_secondary": ("初中", "Junior secondary"),
    "senior_secondary": ("高中", "Senior secondary"), "vocational": ("中职", "Vocational"),
    "tertiary": ("大专及以上", "Tertiary"),
    "skilled": ("技能劳动力", "Skilled"), "normal": ("普通劳动力", "Normal"),
    "weak": ("弱劳动力或半劳动力", "Weak"), "lost": ("丧失劳动力", "Lost"),
    "labour_capacity.none": ("无劳动力", "None"),
    "disability_kind.none": ("无残疾", "None"), "visual": ("视力残疾", "Visual"),
    "hearing": ("听力残疾", "Hearing"), "speech": ("言语残疾", "Speech"),
    "physical": ("肢体残疾", "Physical"), "intellectual": ("智力残疾", "Intellectual"),
    "mental": ("精神残疾", "Mental"), "multiple": ("多重残疾", "Multiple"),
    "male": ("男", "Male"), "female": ("女", "Female"),
    "plain": ("平原", "Plain"), "hill": ("丘陵", "Hill"), "mountain": ("山区", "Mountain"),
    "plateau": ("高原", "Plateau"),
    # housing grade and water source
    "housing_grade.A": ("A级", "Grade A"), "housing_grade.B": ("B级", "Grade B"),
    "housing_grade.C": ("C级(危房)", "Grade C (unsafe)"),
    "housing_grade.D": ("D级(危房)", "Grade D (unsafe)"),
    "piped": ("自来水", "Piped"), "protected_well": ("有防护的井", "Protected well"),
    "unprotected_well": ("无防护的井", "Unprotected well"), "surface": ("地表水", "Surface water"),
    "trucked": ("送水", "Trucked"),
    # events
    "serious_illness": ("患大病", "Serious illness"), "event.disability": ("致残", "Disability"),
    "event.disaster": ("受灾", "Disaster"), "death": ("去世", "Death"),
    "job_loss": ("失业", "Job loss"), "birth": ("出生", "Birth"),
    "recovery": ("康复", "Recovery"), "moved_away": ("迁出", "Moved away"),
    "member.merge": ("合并重复登记", "Merged registration"),
    # measures
    "industry_support": ("产业扶持", "Industry support"),
    "jobs_and_training": ("就业与技能培训", "Jobs and training"),
    "microcredit": ("扶贫小额信贷", "Microcredit"), "relocation": ("易地扶贫搬迁", "Relocation"),
    "ecological_compensation": ("生态补偿", "Ecological compensation"),
    "education_aid": ("教育扶贫", "Education aid"),
    "medical_assistance": ("健康扶贫与医疗救助", "Medical assistance"),
    "minimum_living_guarantee": ("低保兜底", "Minimum living guarantee"),
    "housing_renovation": ("危房改造", "Housing renovation"),
    "water_project": ("饮水安全工程", "Water project"),
    "disaster_relief": ("灾害救助", "Disaster relief"),
    "food_and_clothing_relief": ("临时救助", "Temporary relief"),
    "motivation_building": ("扶志扶智", "Motivation building"),
    # fields of the household (timeline changes, guarantee details)
    "field.household_id": ("户编号", "Household number"),
    "field.village_code": ("所在村", "Village"), "field.address": ("地址", "Address"),
    "field.phone": ("联系电话", "Phone"), "field.registration_status": ("识别状态", "Status"),
    "field.registration_year": ("建档立卡年度", "Year registered"),
    "field.exit_year": ("脱贫年度", "Year of exit"),
    "field.food_secure": ("不愁吃", "Food secure"),
    "field.clothing_secure": ("不愁穿", "Clothing secure"),
    "field.housing_grade": ("住房安全等级", "Housing grade"),
    "field.drinking_water_safe": ("饮水安全", "Drinking water safe"),
    "field.water_source": ("饮水来源", "Water source"),
    "fails": ("未达标", "not met"),
    # conflict rules
    "rule.vehicle": ("家庭成员拥有机动车", "A member owns a vehicle"),
    "rule.business": ("家庭成员注册公司", "A member registered a company"),
    "rule.public_employee": ("家庭成员为财政供养人员", "A member is a public employee"),
    "rule.commercial_housing": ("家庭成员购买商品房", "A member bought commercial housing"),
    "rule.large_tax": ("家庭成员缴纳较高个人所得税", "A member pays a large income tax"),
    "rule.death": ("已死亡仍在册", "A member who died is still registered"),
    # the scorecard's sets and indicators (rules/scorecard.yaml)
    "set.income": ("收入", "Income"), "set.food": ("不愁吃", "Food"),
    "set.clothing": ("不愁穿", "Clothing"), "set.housing": ("住房安全", "Safe housing"),
    "set.water": ("饮水安全", "Safe water"),
    "set.compulsory_education": ("义务教育保障", "Compulsory education"),
    "set.medical_cover": ("基本医疗保障", "Medical cover"), "set.health": ("健康状况", "Health"),
    "set.disability": ("残疾", "Disability"), "set.labour": ("劳动力", "Labour"),
    "set.employment": ("就业", "Employment"), "set.adult_education": ("成人文化程度",
                                                                     "Adult education"),
    "set.land": ("土地", "Land"), "set.assets": ("生产资料", "Assets"),
    "set.debt": ("负债", "Debt"), "set.dependants": ("家庭结构", "Dependants"),
    "set.social_security": ("社会保障", "Social security"),
    "set.village": ("村基础设施", "Village infrastructure"),
    "indicator.income_vs_line": ("人均纯收入与贫困线", "Income per head against the line"),
    "indicator.wage_source": ("工资性收入来源", "Wage income"),
    "indicator.business_source": ("经营性收入来源", "Business income"),
    "indicator.transfer_dependence": ("转移性收入依赖", "Dependence on transfers"),
    "indicator.food_secure": ("口粮与肉食", "Staple food and meat"),
    "indicator.no_disaster": ("当年未受灾", "No disaster this year"),
    "indicator.clothing_secure": ("四季衣物", "Clothing for every season"),
    "indicator.housing_grade": ("住房安全等级", "Housing safety grade"),
    "indicator.housing_space": ("人均住房面积", "Living space per head"),
    "indicator.electricity": ("生活用电", "Electricity"),
    "indicator.water_safe": ("饮水安全", "Safe drinking water"),
    "indicator.water_source": ("饮水来源", "Water source"),
    "indicator.children_in_school": ("适龄儿童在校", "Children of school age in school"),
    "indicator.schooling_cost": ("教育支出负担", "Cost of schooling"),
    "indicator.all_insured": ("基本医疗保险全覆盖", "Everyone medically insured"),
    "indicator.critical_cover": ("大病保险全覆盖", "Everyone insured for critical illness"),
    "indicator.no_serious_illness": ("无大病成员", "No member seriously ill"),
    "indicator.chronic_illness": ("慢性病成员", "Members chronically ill"),
    "indicator.medical_burden": ("医疗支出负担", "Medical spending"),
    "indicator.no_severe_disability": ("无重度残疾成员", "No member severely disabled"),
    "indicator.no_disability": ("无残疾成员", "No member disabled"),
    "indicator.labour_ratio": ("劳动力占比", "Share able to work"),
    "indicator.skilled_labour": ("技能劳动力", "Skilled labour"),
    "indicator.no_lost_labour": ("无丧失劳动能力成员", "No member unable to work"),
    "indicator.migrant_work": ("外出务工", "Work away from home"),
    "indicator.no_job_loss": ("当年无失业", "No job lost this year"),
    "indicator.no_weak_labour": ("无弱劳动力", "No weak labour"),
    "indicator.head_education": ("户主文化程度", "Education of the head"),
    "indicator.adult_education": ("成人文化程度", "Education of the adults"),
    "indicator.land_per_capita": ("人均耕地", "Land per head"),
    "indicator.cultivated_land": ("有耕地", "Has cultivated land"),
    "indicator.productive_assets": ("生产性资产", "Productive assets"),
    "indicator.livestock": ("牲畜", "Livestock"),
    "indicator.debt_vs_income": ("负债与收入", "Debt against income"),
    "indicator.no_debt": ("无负债", "No debt"),
    "indicator.elderly_share": ("老年人占比", "Share of elderly"),
    "indicator.children": ("义务教育阶段子女数", "Children in compulsory schooling"),
    "indicator.household_size": ("家庭规模", "Size of the household"),
    "indicator.no_death": ("当年无成员去世", "No death this year"),
    "indicator.pension": ("养老保险", "Pension insurance"),
    "indicator.no_dibao": ("未享受低保", "No minimum living allowance"),
    "indicator.no_illness_event": ("当年无新发大病", "No new serious illness this year"),
    "indicator.road": ("通硬化路", "Paved road"),
    "indicator.distance": ("距县城距离", "Distance to the county town"),
    "indicator.internet": ("通宽带", "Broadband"),
    "indicator.village_water": ("通自来水", "Piped water in the village"),
    "indicator.village_power": ("通电", "Power in the village"),
    "indicator.terrain": ("地形", "Terrain"),
    # the procedures and their steps (rules/procedures.yaml)
    "procedure.household": ("识别、退出与调整", "Enrolment, exit and adjustment"),
    "procedure.monitoring": ("监测对象识别", "Identification of a monitored household"),
    "procedure.village_exit": ("贫困村退出", "Exit of a poor village"),
    "procedure.county_exit": ("贫困县退出", "Exit of a poor county"),
    "step.household.consent": ("农户申请或同意", "Household application or consent"),
    "step.household.appraisal": ("村民主评议", "Village democratic appraisal"),
    "step.household.notice": ("村内公示", "Public notice in the village"),
    "step.household.township_review": ("乡镇审核", "Township review"),
    "step.household.county_approval": ("县级审批", "County approval"),
    "step.household.announcement": ("公告", "Announcement"),
    "step.monitoring.consent": ("农户申请或同意", "Household application or consent"),
    "step.monitoring.appraisal": ("村级评议", "Village review"),
    "step.monitoring.notice": ("村内公示", "Public notice in the village"),
    "step.monitoring.township_review": ("乡镇审核", "Township check"),
    "step.monitoring.county_approval": ("县级审定", "County approval"),
    "step.village_exit.appraisal": ("村民代表大会评议", "Village assembly appraisal"),
    "step.village_exit.notice": ("村内公示", "Public notice in the village"),
    "step.village_exit.township_review": ("乡镇审核", "Township review"),
    "step.village_exit.county_approval": ("县级审批", "County approval"),
    "step.village_exit.announcement": ("公告", "Announcement"),
    "step.county_exit.application": ("县级申请", "County application"),
    "step.county_exit.prefecture_review": ("市级初审", "Prefecture review"),
    "step.county_exit.province_assessment": ("省级核查", "Province check and assessment"),
    "step.county_exit.notice": ("公示", "Public notice"),
    "step.county_exit.announcement": ("公告", "Announcement"),
    "actor.public": ("公众", "the public"),
    # who proposed: the re-evaluation or a person
    "actor.re-evaluation": ("动态调整评估", "re-evaluation"),
    # the evidence of a proposal (dynamic/reevaluation.py, dynamic/regions.py)
    "evidence.ratio": ("人均纯收入与贫困线之比", "Income per head to the line"),
    "evidence.stable_ratio": ("稳定收入与贫困线之比", "Stable income to the line"),
    "evidence.years_seen": ("有调查的年数", "Years surveyed"),
    "evidence.net_before": ("上年家庭纯收入", "Net income the year before"),
    "evidence.guarantees_failed": ("未达标的保障数", "Guarantees not met"),
    "evidence.hardship_amount": ("突发困难金额", "Sudden hardship (yuan)"),
    "evidence.alive": ("在世成员数", "Members living"),
    "evidence.moved": ("已迁出", "Moved away"),
    "evidence.note": ("记录", "Note"),
    "evidence.region_code": ("区域代码", "Region code"),
    "evidence.region_name": ("区域", "Region"),
    "evidence.level": ("层级", "Level"), "evidence.as_of": ("截至", "As of"),
    "evidence.year": ("识别年度", "Identification year"),
    "evidence.survey_year": ("调查年度", "Survey year"),
    "evidence.met": ("达到退出标准", "Exit criteria met"),
    "evidence.rules": ("规则版本", "Rules"),
    "evidence.people": ("人数", "People"),
    "evidence.registered_poor_people": ("建档立卡贫困人口", "Registered poor people"),
    "evidence.exited_people": ("已脱贫人口", "People exited"),
    "evidence.wrongly_exited_people": ("错退人口(估计)", "Wrongly exited (estimate)"),
    "evidence.unregistered_people": ("未建档人口", "People not registered"),
    "evidence.missed_people": ("漏评人口(估计)", "Missed (estimate)"),
    "evidence.west": ("西部地区", "In the west"),
    # reasons of a village's or county's status (dynamic/regions.py)
    "worded.designated": ("认定为贫困:{year}年底贫困发生率 {incidence}%",
                          "designated: registered incidence {incidence} % at the end of "
                          "{year}"),
    "worded.exit_proposed": ("已申请退出", "exit proposed"),
    "worded.exit_rejected": ("退出未通过:{note}", "exit rejected: {note}"),
    "worded.decided": ("{kind}(调整事项 {proposal})", "{kind} (proposal {proposal})"),
    "worded.on_notice": ("公示 {start} 至 {until}({days} 天)",
                         "on notice {start} to {until} ({days} days)"),
    "worded.not_role": ("“{step}”由{roles}办理,您是{role}",
                        "'{step}' is taken by the role {roles}, not {role}"),
    "worded.not_level": ("“{step}”由{level}级办理(区域 {region});{username} 的管辖范围是 "
                         "{user_region}({user_level})",
                         "'{step}' is taken at the {level} over region {region}; "
                         "{username}'s jurisdiction is {user_region} ({user_level})"),
    "worded.own_approval": ("{username} 提出了调整事项 {proposal},不能审批",
                            "{username} proposed {proposal} and may not approve it"),
    "or": ("或", " or "),
    # the household's timeline, line by line (dynamic/timeline.py)
    "line.survey": ("{year}年调查:家庭人口 {members} 人,纯收入 {net:,} 元"
                    "(人均 {per_person:,.0f} 元)",
                    "survey {year}: {members} members, net income {net:,} yuan "
                    "({per_person:,.0f} per person)"),
    "line.status": ("状态变为{status}", "status {status}"),
    "line.status_reason": ("状态变为{status}:{reason}", "status {status}: {reason}"),
    "line.event": ("事件:{event}", "event: {event}"),
    "line.event_amount": ("事件:{event},{amount:,} 元", "event: {event}, {amount:,} yuan"),
    "line.member": ("{change}:{name}(人员 {person})", "{change}: {name} (person {person})"),
    "line.household": ("修改了{fields}({change})", "changed {fields} ({change})"),
    "line.flag_raised": ("发现疑点:{rule}", "conflict flag raised: {rule}"),
    "line.flag_verified": ("疑点“{rule}”核查结果:{outcome}", "flag {rule} verified: {outcome}"),
    "line.proposed": ("提出:{kind}", "proposed: {kind}"),
    "line.step": ("{step}:{outcome}({actor})", "{step} {outcome} by {actor}"),
    "line.step_note": ("{step}:{outcome}({actor}):{note}",
                       "{step} {outcome} by {actor}: {note}"),
    "nothing": ("无", "nothing"),
    # audit: actions and the kinds of object
    "action.login": ("登录", "Log in"), "action.logout": ("退出登录", "Log out"),
    "action.login_failed": ("登录失败", "Failed login"),
    "action.login_throttled": ("登录受限", "Login held back"),
    "action.refused": ("拒绝访问", "Refused"),
    "action.create_user": ("新建用户", "Create user"),
    "action.deliver": ("部门报送数据", "Deliver a feed"),
    "action.read_household": ("查看一户一档", "Read a household file"),
    "action.unmask_household": ("查看一户一档完整信息", "Unmask a household file"),
    "action.read_timeline": ("查看时间线", "Read a timeline"),
    "action.read_monitoring_list": ("查看监测名单", "Read the monitoring list"),
    "action.read_quarantine": ("查看隔离数据", "Read quarantined rows"),
    "action.search": ("搜索", "Search"),
    "action.unmask_flag": ("查看核查证据", "Unmask flag evidence"),
    "action.verify_flag": ("核查疑点", "Verify a flag"),
    "action.file_complaint": ("提交投诉", "File a complaint"),
    "action.answer_complaint": ("答复投诉", "Answer a complaint"),
    "action.announce": ("发布公告", "Announce"),
    "action.merge_person": ("合并重复登记", "Merge a person"),
    "action.distinct_persons": ("确认不是同一人", "Distinct persons"),
    "action.designate_regions": ("认定贫困村、县", "Designate villages and counties"),
    "action.proposal_step": ("办理调整事项", "Take a proposal's step"),
    "action.object_to_proposal": ("对公示提出异议", "Object to a proposal"),
    "action.propose": ("提出调整事项", "Propose"),
    "action.review_match": ("比对确认同一人", "Review: same person"),
    "action.review_rejected": ("比对确认不是同一人", "Review: not the same"),
    "object.user": ("用户", "user"), "object.household": ("户", "household"),
    "object.people": ("人员", "people"), "object.person": ("人员", "person"),
    "object.region": ("区域", "region"), "object.proposal": ("调整事项", "proposal"),
    "object.path": ("页面", "page"), "object.feed_link": ("比对记录", "linked record"),
    "object.flag": ("核查任务", "flag"), "object.complaint": ("投诉", "complaint"),
    "object.batch": ("批次", "batch"), "object.announcement": ("公告", "announcement"),
    "object.delivery": ("数据报送", "delivery"),
    # lists read a page at a time: a region's households, search, monitoring, complaints
    "household_list": ("户名单", "Households"), "any": ("全部", "Any"),
    "list_apply": ("筛选", "Apply"), "page_previous": ("上一页", "Previous"),
    "page_next": ("下一页", "Next"),
    "page_of": ("第 {page} / {pages} 页,共 {total} 条", "Page {page} of {pages}, {total} in all"),
    "list_household_id": ("户编号", "Household"), "list_head_name": ("户主", "Head"),
    "list_village_name": ("村", "Village"), "list_members": ("人数", "Members"),
    "list_registration_status": ("识别状态", "Status"), "list_band": ("评分等级", "Band"),
    "list_score": ("评分", "Score"), "list_primary_cause": ("主要致贫原因", "Main cause"),
    "list_monitored": ("监测名单", "On the monitoring list"),
    "list_flagged": ("有待核查预警", "With open flags"),
    "list_open_flags": ("待核查预警", "Open flags"),
    "action.list_households": ("查看户名单", "Listed households"),
    "action.export_households": ("导出户名单", "Exported households"),
    "action.export_unmasked": ("导出未遮盖的个人信息", "Exported personal data in clear"),
    "object.command": ("命令", "Command"),
    "action.reveal_contact": ("查看投诉人联系方式", "Revealed a complainant's contact"),
    "results_cut": ("仅显示前 {shown} 条,共 {total} 条", "The first {shown} of {total}"),
    # the complainant's contact, revealed to the officer who answers
    "show_contact": ("查看完整联系方式(将记录审计)", "Show the full contact (audited)"),
}


def translate(key: object, lang: str) -> str:
    """The message ``key`` in ``lang`` (the key itself when unknown)."""
    entry = MESSAGES.get(str(key))
    if entry is None:
        return str(key)
    return entry[LANGUAGES.index(lang) if lang in LANGUAGES else 0]


def key_of(code: object, kind: str | None = None, alone: bool = True) -> str | None:
    """The catalog's id of ``code`` of the code list ``kind``: "kind.code" when the list
    words it its own way, else (when ``alone``) the code; None when the catalog has
    neither."""
    for key in (f"{kind}.{code}" if kind else None, str(code) if alone else None):
        if key in MESSAGES:
            return key
    return None


def label(code: object, lang: str, kind: str | None = None, alone: bool = True) -> str:
    """What a page shows for ``code`` (of the list ``kind``): its label, else itself.
    With ``alone`` False only the list's own words count (a user named like a role)."""
    if code is None or code == "":
        return ""
    key = key_of(code, kind, alone)
    return translate(key, lang) if key else str(code)


def say(key: str, lang: str, **values: object) -> str:
    """The message ``key`` with its named ``values`` put in."""
    return translate(key, lang).format(**values)


def pick(requested: str | None) -> str:
    return requested if requested in LANGUAGES else DEFAULT


# The values of a timeline's line that are codes, with their code list.
LINE_CODES = {"status": None, "event": "event", "kind": "kind", "outcome": None,
              "rule": "rule", "change": "member"}


def line(entry: Mapping[str, Any], lang: str) -> str:
    """A line of a household's timeline (dynamic/timeline.py) in ``lang``."""
    values = dict(entry["values"])
    for name, kind in LINE_CODES.items():
        if name in values:
            values[name] = label(values[name], lang, kind)
    if "fields" in values:
        values["fields"] = "、".join(label(f, lang, "field") for f in values["fields"]) \
            or translate("nothing", lang)
    if "step" in values:
        values["step"] = label(values["step"], lang, f"step.{values['procedure']}")
    if "actor" in values:
        values["actor"] = label(values["actor"], lang, "actor", alone=False)
    if "reason" in values:
        values["reason"] = worded(values["reason"], lang)
    if "note" in values:
        values["note"] = worded(values["note"], lang, f"step.{values['procedure']}")
    return say(f"line.{entry['line']}", lang, **values)


def worded(text: str | None, lang: str, steps: str | None = None) -> str:
    """A text the platform wrote (dynamic/reasons.py: a reason of status, a notice's
    note, why a step is not yours) in ``lang``; any other text as it is. ``steps`` is the
    code list of the procedure's steps ("step.household")."""
    parts = parts_of(text)
    if parts is None:
        return text or ""
    values = dict(parts["values"])
    for name in ("kind", "role", "level", "user_level"):
        if name in values:
            values[name] = label(values[name], lang, "kind" if name == "kind" else None)
    if "step" in values:
        values["step"] = label(values["step"], lang, steps)
    if "roles" in values:
        values["roles"] = translate("or", lang).join(
            label(r, lang) for r in values["roles"].split(" or "))
    return say(f"worded.{parts['code']}", lang, **values)
