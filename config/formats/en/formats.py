# The signatures of the question page read "Ask Date: 2008/08/07", as on Taiwan e-Hospital's English pages.
SHORT_DATE_FORMAT = "Y/m/d"
