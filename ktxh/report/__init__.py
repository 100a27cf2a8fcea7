"""ktxh.report: Vietnamese phrasing, the document model, DOCX/XLSX writers. Never imports Django.

Public API: ReportData, Phrases, PhraseError, TemplateProblem, render, load_template,
write_docx, write_xlsx, to_pdf, TEMPLATES.
"""

from .charts import default_charts
from .docx_writer import write_docx
from .pdf import PdfUnavailable, to_pdf
from .phrasing import PhraseError, Phrases, ReportData
from .render import TEMPLATES, TemplateProblem, load_template, render
from .xlsx_writer import write_xlsx

__all__ = [
    "default_charts",
    "TEMPLATES",
    "PdfUnavailable",
    "PhraseError",
    "Phrases",
    "ReportData",
    "TemplateProblem",
    "load_template",
    "render",
    "to_pdf",
    "write_docx",
    "write_xlsx",
]
