"""ktxh.web: the Django project. Maps its models onto ktxh.core types and adds people and workflow."""
