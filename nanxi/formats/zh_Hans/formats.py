"""Numbers as the street office prints them: 14,000 and ¥18,500 (groups of three).

Django's zh_Hans formats group by four with no separator; everything else
(dates, input formats) comes from Django's own zh_Hans module.
"""

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
