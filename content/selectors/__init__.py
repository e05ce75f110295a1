"""Reads inside one portal's schema that are more than a filter; the caller has already entered the tenant.

One module per area:

- ``royalty``: the board head, published items by generic reference, the point value in force, the
  per-period, per-author royalty report and its XLSX export.
"""

from content.selectors.royalty import (
    RoyaltyAuthorTotal,
    RoyaltyReport,
    RoyaltyReportLine,
    royalty_amount,
    royalty_board_head,
    royalty_entry_item,
    royalty_is_board_head,
    royalty_item_content_types,
    royalty_item_find,
    royalty_item_published_at,
    royalty_point_value_on,
    royalty_report,
    royalty_report_check,
    royalty_report_detail_headers,
    royalty_report_filename,
    royalty_report_summary_headers,
    royalty_report_title,
    royalty_report_xlsx,
    royalty_shares_split,
)

__all__ = [
    "RoyaltyAuthorTotal",
    "RoyaltyReport",
    "RoyaltyReportLine",
    "royalty_amount",
    "royalty_board_head",
    "royalty_entry_item",
    "royalty_is_board_head",
    "royalty_item_content_types",
    "royalty_item_find",
    "royalty_item_published_at",
    "royalty_point_value_on",
    "royalty_report",
    "royalty_report_check",
    "royalty_report_detail_headers",
    "royalty_report_filename",
    "royalty_report_summary_headers",
    "royalty_report_title",
    "royalty_report_xlsx",
    "royalty_shares_split",
]
