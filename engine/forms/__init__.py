"""The internal form model, its loaders (inline Camunda forms, form files) and server-side validation."""

from engine.forms.camunda import read_inline_form
from engine.forms.errors import ErrorCode, FieldError, FormDefinitionError
from engine.forms.igov.activiti import read_activiti_form
from engine.forms.jsonfile import load_form_file, parse_form_document
from engine.forms.messages import english_message
from engine.forms.model import Field, FieldType, Form, LocalText, Option, Page
from engine.forms.schema import form_json_schema, submission_schema
from engine.forms.validate import check_submission, clean_form_data, unknown_keys

__all__ = [
    "ErrorCode",
    "Field",
    "FieldError",
    "FieldType",
    "Form",
    "FormDefinitionError",
    "LocalText",
    "Option",
    "Page",
    "check_submission",
    "clean_form_data",
    "english_message",
    "form_json_schema",
    "load_form_file",
    "parse_form_document",
    "read_activiti_form",
    "read_inline_form",
    "submission_schema",
    "unknown_keys",
]
