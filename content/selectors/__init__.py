"""Reads inside one portal's schema that are more than a filter; the caller has already entered the tenant.

One module per area:

- ``royalty``: the board head, published items by generic reference, the point value in force, the
  per-period, per-author royalty report and its XLSX export.
"""

from content.selectors.royalty import (
    RoyaltyAuthorTotal,
    RoyaltyReport,
    RoyaltyReportLine,
    royalty_board_head,
    royalty_entry_item,
    royalty_is_board_head,
    royalty_item_content_types,
    royalty_point_value_on,
    royalty_report,
    royalty_report_filename,
    royalty_report_xlsx,
)

__all__ = [
    "RoyaltyAuthorTotal",
    "RoyaltyReport",
    "RoyaltyReportLine",
    "royalty_board_head",
    "royalty_entry_item",
    "royalty_is_board_head",
    "royalty_item_content_types",
    "royalty_point_value_on",
    "royalty_report",
    "royalty_report_filename",
    "royalty_report_xlsx",
]
