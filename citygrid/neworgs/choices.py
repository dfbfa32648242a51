from django.db import models


class OrganisationKind(models.TextChoices):
    """The two halves of 两新组织: non-public enterprises, and the three forms of social
    organisation registered with civil affairs. The monthly report counts per kind."""

    ENTERPRISE = "enterprise", "非公有制经济组织"
    SOCIAL_GROUP = "social_group", "社会团体"
    PRIVATE_NON_ENTERPRISE = "private_non_enterprise", "民办非企业单位"
    FOUNDATION = "foundation", "基金会"


class BranchKind(models.TextChoices):
    """The bodies set up inside an organisation (党组织, 工青妇, 综治工作室); coverage rates are the
    share of organisations holding each kind."""

    PARTY = "party", "党组织"
    UNION = "union", "工会"
    YOUTH_LEAGUE = "youth_league", "共青团"
    WOMEN = "women", "妇联"
    COMPREHENSIVE_OFFICE = "comprehensive_office", "综治工作室"
