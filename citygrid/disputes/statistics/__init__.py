"""统计汇总 of disputes: the figures of a region and period (`compute`), kept fast at a million
disputes by a day and month roll-up per region (`models.DisputeRollup`, maintained by `rollup`)."""
