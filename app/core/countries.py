"""The world's countries by their English names, for telling a foreign office from an American one.

Generated once from the Unicode CLDR territory names (through Babel, at development time: app.core
imports no Babel), normalised as ``app.core.protocol.normal`` does; the United States is left out,
and so are its territories and Georgia, which is also a state. A few official and older names are added by hand.
"""

from __future__ import annotations

COUNTRIES = frozenset({
    "afghanistan", "aland islands", "albania", "algeria", "andorra", "angola", "anguilla",
    "antarctica", "antigua and barbuda", "argentina", "armenia", "aruba", "ascension island", "australia",
    "austria", "azerbaijan", "bahamas", "bahrain", "bangladesh", "barbados", "belarus", "belgium", "belize",
    "benin", "bermuda", "bhutan", "bolivia", "bosnia and herzegovina", "botswana", "bouvet island", "brazil",
    "british indian ocean territory", "british virgin islands", "brunei", "bulgaria", "burkina faso", "burma",
    "burundi", "cambodia", "cameroon", "canada", "canary islands", "cape verde", "caribbean netherlands",
    "cayman islands", "central african republic", "ceuta and melilla", "chad", "chile", "china",
    "christmas island", "clipperton island", "cocos keeling islands", "colombia", "comoros",
    "congo - brazzaville", "congo - kinshasa", "cook islands", "costa rica", "cote d'ivoire", "croatia",
    "cuba", "curacao", "cyprus", "czech republic", "czechia", "denmark", "diego garcia", "djibouti",
    "dominica", "dominican republic", "ecuador", "egypt", "el salvador", "england", "equatorial guinea",
    "eritrea", "estonia", "eswatini", "ethiopia", "falkland islands", "faroe islands", "fiji", "finland",
    "france", "french guiana", "french polynesia", "french southern and antarctic lands", "gabon", "gambia",
    "germany", "ghana", "gibraltar", "great britain", "greece", "greenland", "grenada", "guadeloupe", "guam",
    "guatemala", "guernsey", "guinea", "guinea-bissau", "guyana", "haiti", "heard island and mcdonald islands",
    "holy see", "honduras", "hong kong sar china", "hungary", "iceland", "india", "indonesia", "iran", "iraq",
    "ireland", "isle of man", "israel", "italy", "ivory coast", "jamaica", "japan", "jersey", "jordan",
    "kazakhstan", "kenya", "kiribati", "korea", "kuwait", "kyrgyzstan", "laos", "latvia", "lebanon", "lesotho",
    "liberia", "libya", "liechtenstein", "lithuania", "luxembourg", "macao sar china", "madagascar", "malawi",
    "malaysia", "maldives", "mali", "malta", "marshall islands", "martinique", "mauritania", "mauritius",
    "mayotte", "mexico", "micronesia", "moldova", "monaco", "mongolia", "montenegro", "montserrat", "morocco",
    "mozambique", "myanmar burma", "namibia", "nauru", "nepal", "netherlands", "new caledonia", "new zealand",
    "nicaragua", "niger", "nigeria", "niue", "norfolk island", "north korea", "north macedonia",
    "norway", "oman", "pakistan", "palau", "palestinian territories", "panama",
    "papua new guinea", "paraguay", "peru", "philippines", "pitcairn islands", "poland", "portugal",
    "qatar", "republic of korea", "reunion", "romania", "russia", "rwanda", "samoa",
    "san marino", "sao tome and principe", "sark", "saudi arabia", "scotland", "senegal", "serbia",
    "seychelles", "sierra leone", "singapore", "sint maarten", "slovakia", "slovenia", "solomon islands",
    "somalia", "south africa", "south georgia and south sandwich islands", "south korea", "south sudan",
    "spain", "sri lanka", "st barthelemy", "st helena ascension and tristan da cunha", "st kitts and nevis",
    "st lucia", "st martin", "st pierre and miquelon", "st vincent and grenadines", "sudan", "suriname",
    "svalbard and jan mayen", "sweden", "switzerland", "syria", "taiwan", "tajikistan", "tanzania", "thailand",
    "the netherlands", "the philippines", "timor-leste", "togo", "tokelau", "tonga", "trinidad and tobago",
    "tristan da cunha", "tunisia", "turkiye", "turkmenistan", "turks and caicos islands", "tuvalu", "uganda",
    "ukraine", "united arab emirates", "united kingdom", "united mexican states", "uruguay",
    "uzbekistan", "vanuatu", "vatican", "vatican city",
    "venezuela", "vietnam", "wales", "wallis and futuna", "western sahara", "yemen", "zambia", "zimbabwe"
})
