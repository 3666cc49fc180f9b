"""Word lists for generated places and people. Plain data, chosen to read well."""

SURNAMES = ["Abbott", "Adeyemi", "Alvarez", "Bauer", "Bianchi", "Brooks", "Castillo", "Chen", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Hale", "Haddad", "Ito", "Jensen", "Kaur", "Khan", "Kim", "Kowalski", "Larsen", "Lopez", "Moreau", "Murphy", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Petrov", "Quinn", "Reyes", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Tanaka", "Torres", "Varga", "Walsh", "Weber", "Wright", "Yilmaz", "Zhang"]

DISTRICTS = (
    "Oakside", "Riverside", "Old Town", "Millbrook", "Hillcrest", "Northgate", "Westfield",
    "Elmwood", "Harbor", "Brightwater", "Fairview", "Stonebridge",
)

STREETS = ["Maple", "Oak", "Birch", "Cedar", "Willow", "Elm", "Pine", "Chestnut", "Linden", "Rowan", "Aspen", "Juniper", "Hazel", "Alder", "Poplar", "Laurel", "Holly", "Spruce", "Magnolia", "Walnut"]

NEIGHBOURHOOD_SUFFIXES = ("North", "South", "East", "West")

CAFE_NAMES = ("{s}'s Cafe", "The Copper Kettle", "Bluebird Coffee", "The Corner Table",
              "Sunny Side Diner", "The Daily Grind", "{s} Bakery Cafe", "Lantern Tea Room")
SHOP_NAMES = ("{s} Grocery", "Corner Pharmacy", "{s} Hardware", "The Book Nook",
              "Market on {street}", "{s} & Daughters Supply", "Fresh Greens", "Paper & Ink")
OFFICE_NAMES = ("{s} & Partners", "{street} Offices", "{s} Design Studio", "Harbour Insurance",
                "{s} Accounting", "Northwind Labs")
WORKSHOP_NAMES = ("{s} Carpentry", "{s} Bakery", "{street} Motor Works", "{s} Tailors",
                  "Ironleaf Forge", "{s} Print Shop")
PARK_NAMES = ("{street} Park", "Johnson Park", "Willow Green", "Riverside Gardens", "The Commons")
APARTMENT_NAMES = ("{street} Apartments", "{street} Court", "The {street} Lofts")

OCCUPATIONS = {
    "CAFE": ("barista", "cook", "cafe owner", "waiter"),
    "SHOP": ("shopkeeper", "clerk", "pharmacist", "stock clerk"),
    "OFFICE": ("accountant", "designer", "software engineer", "lawyer", "office clerk",
               "architect", "journalist"),
    "WORKSHOP": ("carpenter", "baker", "mechanic", "tailor", "printer", "smith"),
    "SCHOOL": ("teacher", "school counsellor", "caretaker"),
    "TOWN_HALL": ("council clerk", "civil servant", "registrar"),
    "PARK": ("gardener", "park keeper"),
}

HOBBIES = (
    "paints watercolours on Sundays", "grows tomatoes on the balcony", "plays chess in the park",
    "collects old records", "runs along the river at dawn", "is learning the violin",
    "writes short stories nobody has read yet", "bakes bread for the neighbours",
    "birdwatches with a battered notebook", "restores old bicycles", "sings in a small choir",
    "knows every stray cat by name",
)
