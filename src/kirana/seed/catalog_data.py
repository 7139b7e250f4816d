"""The demo catalog's raw material: categories, fictional brands, items, variants, pack sizes.

Each subcategory lists ``items`` (what it is), ``variants`` (a flavour or kind, "" for none),
``units`` (pack sizes) and a price band in rupees for its smallest pack. The seed combines
them into products, so ~3,000 believable names come out of a few hundred words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Sub:
    name: str
    items: tuple[str, ...]
    variants: tuple[str, ...]
    units: tuple[str, ...]
    rupees: tuple[int, int]


@dataclass(frozen=True, slots=True)
class Top:
    name: str
    brands: tuple[str, ...]
    blurb: str
    subs: tuple[Sub, ...]


def _t(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split("|"))


CATALOG: tuple[Top, ...] = (
    Top(
        "Fruits & Vegetables",
        _t("FarmFresh|Green Basket|Harvest Lane|Organic Roots"),
        "Picked, sorted and kept cool until it reaches you.",
        (
            Sub(
                "Fresh Fruits",
                _t(
                    "Apples|Bananas|Oranges|Pears|Grapes|Mangoes|Pomegranates|Kiwis|Papaya|Pineapple|Plums|Strawberries"
                ),
                _t("|Organic|Premium"),
                _t("500 g|1 kg|6 pcs"),
                (40, 260),
            ),
            Sub(
                "Fresh Vegetables",
                _t(
                    "Tomatoes|Onions|Potatoes|Carrots|Cucumbers|Capsicum|Cauliflower|Cabbage|Spinach|Okra|Brinjal|Beans|Peas|Beetroot"
                ),
                _t("|Organic|Farm"),
                _t("250 g|500 g|1 kg"),
                (20, 120),
            ),
            Sub(
                "Herbs & Seasonings",
                _t("Coriander|Mint|Curry Leaves|Ginger|Garlic|Green Chillies|Lemons|Dill|Basil"),
                _t("|Organic"),
                _t("100 g|200 g|1 bunch"),
                (10, 80),
            ),
        ),
    ),
    Top(
        "Dairy & Eggs",
        _t("Himgiri|Dairy Meadow|Nandini Farms|Kaveri Gold"),
        "From chilled dairies, delivered cold.",
        (
            Sub(
                "Milk",
                _t(
                    "Toned Milk|Full Cream Milk|Double Toned Milk|Lactose-Free Milk|Oat Drink|Almond Drink"
                ),
                _t("|Organic|A2"),
                _t("500 ml|1 L|2 L"),
                (28, 140),
            ),
            Sub(
                "Curd & Yogurt",
                _t("Curd|Greek Yogurt|Set Yogurt|Lassi|Buttermilk|Shrikhand"),
                _t("|Mango|Strawberry|Plain|Low Fat"),
                _t("200 g|400 g|1 kg"),
                (25, 160),
            ),
            Sub(
                "Butter, Cheese & Paneer",
                _t("Butter|Cheese Slices|Cheese Block|Mozzarella|Paneer|Cream Cheese|Ghee"),
                _t("|Salted|Unsalted|Garlic"),
                _t("100 g|200 g|500 g"),
                (50, 600),
            ),
            Sub(
                "Eggs",
                _t("Eggs|Brown Eggs|Free-Range Eggs|Omega Eggs"),
                _t("|Farm"),
                _t("6 pcs|12 pcs|30 pcs"),
                (45, 350),
            ),
        ),
    ),
    Top(
        "Bakery",
        _t("Oven Story|Bake House|Daily Crust|Golden Loaf"),
        "Baked this morning.",
        (
            Sub(
                "Bread",
                _t(
                    "White Bread|Brown Bread|Multigrain Bread|Sourdough|Rye Bread|Pav|Burger Buns|Hot Dog Buns"
                ),
                _t("|Whole Wheat|Sandwich"),
                _t("350 g|400 g|6 pcs"),
                (30, 180),
            ),
            Sub(
                "Cakes & Muffins",
                _t("Muffins|Cup Cakes|Tea Cake|Brownies|Swiss Roll|Fruit Cake"),
                _t("Chocolate|Vanilla|Banana|Red Velvet|Blueberry"),
                _t("2 pcs|4 pcs|250 g"),
                (40, 300),
            ),
            Sub(
                "Rusks & Toast",
                _t("Rusk|Toast|Khari|Bread Sticks"),
                _t("|Suji|Elaichi|Milk"),
                _t("200 g|300 g|500 g"),
                (30, 150),
            ),
        ),
    ),
    Top(
        "Snacks",
        _t("Crunchy Co|Namkeen House|Chatpata|Munchies"),
        "For the four o'clock hunger.",
        (
            Sub(
                "Chips & Crisps",
                _t("Potato Chips|Banana Chips|Nachos|Tortilla Chips|Veggie Crisps|Kettle Chips"),
                _t("Salted|Masala|Sour Cream & Onion|Peri Peri|Tomato|Cheese"),
                _t("50 g|90 g|150 g"),
                (20, 120),
            ),
            Sub(
                "Namkeen",
                _t("Bhujia|Mixture|Moong Dal|Chana Dal|Khatta Meetha|Peanuts|Sev"),
                _t("|Spicy|Classic"),
                _t("150 g|200 g|400 g"),
                (30, 180),
            ),
            Sub(
                "Biscuits & Cookies",
                _t("Cookies|Cream Biscuits|Digestive Biscuits|Marie Biscuits|Crackers|Wafers"),
                _t("Chocolate|Butter|Cashew|Oat|Coconut|Orange"),
                _t("75 g|150 g|300 g"),
                (10, 150),
            ),
            Sub(
                "Nuts & Dry Fruits",
                _t("Almonds|Cashews|Raisins|Walnuts|Pistachios|Dates|Trail Mix|Figs"),
                _t("|Roasted|Salted|Premium"),
                _t("100 g|200 g|500 g"),
                (90, 900),
            ),
        ),
    ),
    Top(
        "Beverages",
        _t("Fizzup|Tropicana Grove|Aqua Pure|Brewfield"),
        "Chilled and ready.",
        (
            Sub(
                "Soft Drinks",
                _t("Cola|Lemon Soda|Orange Soda|Ginger Ale|Tonic Water|Club Soda"),
                _t("|Diet|Zero Sugar"),
                _t("250 ml|750 ml|1.25 L|6 x 330 ml"),
                (20, 260),
            ),
            Sub(
                "Juices",
                _t(
                    "Orange Juice|Apple Juice|Mixed Fruit Juice|Guava Nectar|Mango Drink|Pomegranate Juice|Coconut Water"
                ),
                _t("|No Added Sugar|Cold Pressed"),
                _t("200 ml|1 L"),
                (20, 220),
            ),
            Sub(
                "Water",
                _t("Mineral Water|Sparkling Water|Alkaline Water"),
                _t("|Lime|Natural"),
                _t("500 ml|1 L|5 L"),
                (10, 120),
            ),
            Sub(
                "Energy & Sports Drinks",
                _t("Energy Drink|Sports Drink|Electrolyte Drink|Protein Shake"),
                _t("|Berry|Citrus|Chocolate"),
                _t("250 ml|500 ml"),
                (40, 180),
            ),
        ),
    ),
    Top(
        "Staples",
        _t("Annapurna Mills|Desi Kisan|Rasoi Gold|Village Harvest"),
        "The kitchen's everyday foundations.",
        (
            Sub(
                "Atta & Flours",
                _t("Whole Wheat Atta|Maida|Besan|Rice Flour|Ragi Flour|Multigrain Atta|Sooji"),
                _t("|Chakki Fresh|Organic"),
                _t("500 g|1 kg|5 kg"),
                (35, 450),
            ),
            Sub(
                "Rice",
                _t("Basmati Rice|Sona Masoori Rice|Brown Rice|Kolam Rice|Poha|Idli Rice"),
                _t("|Premium|Aged|Everyday"),
                _t("1 kg|5 kg"),
                (60, 900),
            ),
            Sub(
                "Dals & Pulses",
                _t("Toor Dal|Moong Dal|Masoor Dal|Chana Dal|Urad Dal|Rajma|Kabuli Chana|Lobia"),
                _t("|Unpolished|Organic"),
                _t("500 g|1 kg"),
                (60, 260),
            ),
            Sub(
                "Oils & Ghee",
                _t("Sunflower Oil|Mustard Oil|Groundnut Oil|Rice Bran Oil|Olive Oil|Coconut Oil"),
                _t("|Cold Pressed|Refined"),
                _t("500 ml|1 L|5 L"),
                (90, 1400),
            ),
            Sub(
                "Salt, Sugar & Spices",
                _t(
                    "Salt|Sugar|Jaggery|Turmeric Powder|Chilli Powder|Coriander Powder|Garam Masala|Cumin Seeds"
                ),
                _t("|Organic|Premium"),
                _t("100 g|500 g|1 kg"),
                (20, 300),
            ),
        ),
    ),
    Top(
        "Household",
        _t("HomeCare|Sparkle|TidyNest|Everyday Home"),
        "Small things that keep a home running.",
        (
            Sub(
                "Kitchen Essentials",
                _t("Aluminium Foil|Cling Wrap|Garbage Bags|Paper Napkins|Kitchen Towels|Zip Bags"),
                _t("|Large|Medium"),
                _t("1 roll|2 rolls|30 pcs"),
                (40, 250),
            ),
            Sub(
                "Batteries & Bulbs",
                _t("AA Batteries|AAA Batteries|LED Bulb|Tube Light|Night Lamp"),
                _t("|Long Life|Warm White|Cool White"),
                _t("2 pcs|4 pcs|1 pc"),
                (40, 400),
            ),
            Sub(
                "Pooja Needs",
                _t("Agarbatti|Camphor|Diya|Cotton Wicks|Dhoop Sticks"),
                _t("|Sandalwood|Rose|Jasmine"),
                _t("1 pack|50 pcs|100 g"),
                (20, 150),
            ),
        ),
    ),
    Top(
        "Cleaning",
        _t("Sparkle|Clean Wave|ShineOn|PureHome"),
        "Cuts grease, not corners.",
        (
            Sub(
                "Detergents",
                _t("Detergent Powder|Liquid Detergent|Detergent Bar|Fabric Conditioner"),
                _t("|Lemon|Lavender|Front Load|Top Load"),
                _t("500 g|1 kg|2 L"),
                (40, 600),
            ),
            Sub(
                "Dishwash",
                _t("Dishwash Liquid|Dishwash Bar|Dishwasher Tablets|Scrub Pads"),
                _t("|Lemon|Lime|Anti-Bacterial"),
                _t("250 ml|500 ml|3 pcs"),
                (20, 500),
            ),
            Sub(
                "Surface Cleaners",
                _t("Floor Cleaner|Toilet Cleaner|Glass Cleaner|Kitchen Cleaner|Disinfectant Spray"),
                _t("|Pine|Citrus|Floral"),
                _t("500 ml|1 L"),
                (60, 400),
            ),
        ),
    ),
    Top(
        "Personal Care",
        _t("Glow & Co|Neem Leaf|Urban Grace|Herbal Veda"),
        "Gentle on skin, kind on the planet.",
        (
            Sub(
                "Bath & Body",
                _t("Soap|Body Wash|Body Lotion|Hand Wash|Talc"),
                _t("Aloe Vera|Sandal|Neem|Rose|Lemon|Oatmeal"),
                _t("100 g|250 ml|3 x 100 g"),
                (30, 450),
            ),
            Sub(
                "Hair Care",
                _t("Shampoo|Conditioner|Hair Oil|Hair Serum|Hair Mask"),
                _t("Anti-Dandruff|Smooth|Coconut|Onion|Argan"),
                _t("180 ml|340 ml|650 ml"),
                (90, 700),
            ),
            Sub(
                "Oral Care",
                _t("Toothpaste|Toothbrush|Mouthwash|Dental Floss"),
                _t("|Mint|Herbal|Sensitive|Charcoal"),
                _t("100 g|150 g|2 pcs"),
                (30, 250),
            ),
            Sub(
                "Skin Care",
                _t("Face Wash|Moisturiser|Sunscreen|Lip Balm|Face Cream"),
                _t("|SPF 50|Vitamin C|Hydrating|Oil Control"),
                _t("50 ml|100 ml|50 g"),
                (90, 600),
            ),
        ),
    ),
    Top(
        "Baby Care",
        _t("Little Sprout|Baby Bloom|Tiny Toes"),
        "Made for the littlest ones.",
        (
            Sub(
                "Diapers & Wipes",
                _t("Diapers|Diaper Pants|Baby Wipes"),
                _t("Newborn|Small|Medium|Large|XL"),
                _t("20 pcs|44 pcs|72 pcs"),
                (180, 1400),
            ),
            Sub(
                "Baby Food",
                _t("Cereal|Puree|Formula|Rice Rusk"),
                _t("Rice|Wheat Apple|Mixed Fruit|Stage 1|Stage 2"),
                _t("300 g|400 g"),
                (150, 800),
            ),
            Sub(
                "Baby Bath",
                _t("Baby Shampoo|Baby Oil|Baby Lotion|Baby Soap|Baby Powder"),
                _t("|Gentle|Lavender"),
                _t("100 ml|200 ml|75 g"),
                (80, 400),
            ),
        ),
    ),
    Top(
        "Pet Care",
        _t("Happy Paws|Whisker Co|Tail Wag"),
        "For the ones who wait at the door.",
        (
            Sub(
                "Dog Food",
                _t("Dry Dog Food|Wet Dog Food|Dog Treats|Dog Biscuits"),
                _t("Chicken|Lamb|Puppy|Adult|Vegetarian"),
                _t("400 g|1.2 kg|3 kg"),
                (90, 1600),
            ),
            Sub(
                "Cat Food",
                _t("Dry Cat Food|Wet Cat Food|Cat Treats"),
                _t("Tuna|Chicken|Kitten|Ocean Fish"),
                _t("85 g|400 g|1.2 kg"),
                (45, 900),
            ),
            Sub(
                "Pet Supplies",
                _t("Cat Litter|Pet Shampoo|Chew Toy|Poop Bags"),
                _t("|Clumping|Anti-Tick"),
                _t("1 pc|5 kg|200 ml"),
                (90, 700),
            ),
        ),
    ),
    Top(
        "Frozen Food",
        _t("Arctic Kitchen|FrostBite|Polar Pantry"),
        "Frozen at its best, kept below -18 °C.",
        (
            Sub(
                "Frozen Snacks",
                _t("French Fries|Aloo Tikki|Veg Nuggets|Chicken Nuggets|Spring Rolls|Samosa|Momos"),
                _t("|Crispy|Spicy|Classic"),
                _t("250 g|400 g|1 kg"),
                (90, 450),
            ),
            Sub(
                "Frozen Vegetables",
                _t("Green Peas|Sweet Corn|Mixed Vegetables|Broccoli|Spinach Cubes"),
                _t("|Premium"),
                _t("200 g|500 g|1 kg"),
                (50, 300),
            ),
            Sub(
                "Ice Cream & Desserts",
                _t("Ice Cream Tub|Ice Cream Cone|Kulfi|Sorbet|Frozen Yogurt"),
                _t("Vanilla|Chocolate|Butterscotch|Mango|Strawberry|Pista"),
                _t("100 ml|500 ml|1 L|4 pcs"),
                (30, 450),
            ),
        ),
    ),
    Top(
        "Meat & Fish",
        _t("Coastal Catch|Fresh Cuts|Farm Grove"),
        "Cleaned, cut and chilled.",
        (
            Sub(
                "Chicken",
                _t(
                    "Chicken Breast|Chicken Curry Cut|Chicken Drumsticks|Chicken Mince|Chicken Wings|Chicken Sausages"
                ),
                _t("|Boneless|Skinless|Marinated"),
                _t("250 g|500 g|1 kg"),
                (120, 700),
            ),
            Sub(
                "Fish & Seafood",
                _t("Salmon Fillet|Rohu|Prawns|Pomfret|Seer Fish|Tuna Steak|Mackerel"),
                _t("|Cleaned|Fillet|Whole"),
                _t("250 g|500 g"),
                (150, 1200),
            ),
            Sub(
                "Mutton",
                _t("Mutton Curry Cut|Mutton Mince|Mutton Chops|Lamb Leg"),
                _t("|Boneless|Premium"),
                _t("250 g|500 g"),
                (300, 1100),
            ),
        ),
    ),
    Top(
        "Breakfast",
        _t("Morning Star|Sunrise Foods|Early Bird"),
        "A good start, ready in minutes.",
        (
            Sub(
                "Cereals",
                _t("Corn Flakes|Muesli|Granola|Oats|Choco Flakes|Wheat Flakes"),
                _t("|Honey|Fruit & Nut|Almond|Multigrain"),
                _t("250 g|500 g|1 kg"),
                (60, 550),
            ),
            Sub(
                "Spreads",
                _t("Peanut Butter|Fruit Jam|Honey|Chocolate Spread|Marmalade"),
                _t("|Crunchy|Creamy|Mixed Fruit|Strawberry"),
                _t("200 g|350 g|500 g"),
                (70, 500),
            ),
            Sub(
                "Ready Mixes",
                _t("Idli Mix|Dosa Mix|Upma Mix|Pancake Mix|Poha Mix"),
                _t("|Rava|Instant"),
                _t("200 g|500 g"),
                (40, 220),
            ),
        ),
    ),
    Top(
        "Sweets & Chocolates",
        _t("Cocoa Craft|Mithai Mahal|Sweet Tooth"),
        "Because some days need it.",
        (
            Sub(
                "Chocolates",
                _t("Milk Chocolate|Dark Chocolate|Chocolate Bar|Truffles|Chocolate Coated Nuts"),
                _t("|Hazelnut|Almond|Orange|70% Cocoa|Caramel"),
                _t("40 g|100 g|200 g"),
                (20, 600),
            ),
            Sub(
                "Indian Sweets",
                _t("Gulab Jamun|Rasgulla|Soan Papdi|Kaju Katli|Ladoo|Peda"),
                _t("|Classic|Sugar-Free"),
                _t("250 g|500 g|1 kg"),
                (90, 900),
            ),
            Sub(
                "Candies & Gums",
                _t("Toffees|Lollipops|Chewing Gum|Mints|Jelly Beans"),
                _t("Mango|Mint|Mixed Fruit|Cola|Strawberry"),
                _t("50 g|100 g|1 pack"),
                (10, 120),
            ),
        ),
    ),
    Top(
        "Tea & Coffee",
        _t("Assam Valley|Nilgiri Estate|Brew Bros|Chai Point"),
        "Brewed the way you like it.",
        (
            Sub(
                "Tea",
                _t("Black Tea|Green Tea|Masala Chai|Darjeeling Tea|Herbal Tea|Tea Bags"),
                _t("|Ginger|Tulsi|Lemon|Cardamom|Premium"),
                _t("100 g|250 g|25 bags"),
                (60, 700),
            ),
            Sub(
                "Coffee",
                _t("Filter Coffee|Instant Coffee|Ground Coffee|Coffee Beans|Cold Brew"),
                _t("|Dark Roast|Medium Roast|Chicory Blend|Arabica"),
                _t("100 g|200 g|500 g"),
                (120, 1100),
            ),
        ),
    ),
    Top(
        "Sauces & Spreads",
        _t("Saucy Chef|Tangy Tales|Chutney Co"),
        "The finishing touch.",
        (
            Sub(
                "Ketchup & Sauces",
                _t(
                    "Tomato Ketchup|Chilli Sauce|Soy Sauce|Mayonnaise|Mustard|Barbecue Sauce|Pasta Sauce"
                ),
                _t("|Hot|Garlic|Eggless|Classic"),
                _t("200 g|500 g|1 kg"),
                (40, 350),
            ),
            Sub(
                "Pickles & Chutneys",
                _t(
                    "Mango Pickle|Lime Pickle|Mixed Pickle|Green Chutney|Tamarind Chutney|Garlic Pickle"
                ),
                _t("|Andhra Style|Punjabi Style|Sweet"),
                _t("200 g|400 g"),
                (60, 280),
            ),
        ),
    ),
    Top(
        "Ready Meals",
        _t("Ghar Ka Khana|Quick Chef|Tiffin Box"),
        "Heat, eat, done.",
        (
            Sub(
                "Ready to Eat",
                _t(
                    "Dal Makhani|Paneer Butter Masala|Rajma Masala|Veg Biryani|Chana Masala|Palak Paneer|Pav Bhaji"
                ),
                _t("|Classic|Restaurant Style"),
                _t("285 g|300 g"),
                (80, 250),
            ),
            Sub(
                "Fresh Meals",
                _t("Sandwich|Wrap|Salad Bowl|Rice Bowl|Pasta Bowl"),
                _t("Paneer Tikka|Chicken Tikka|Veggie|Falafel|Egg"),
                _t("1 pc|350 g"),
                (90, 320),
            ),
        ),
    ),
    Top(
        "Instant Food",
        _t("Snappy|2-Minute|Noodle Hut"),
        "Hot food in minutes.",
        (
            Sub(
                "Noodles & Pasta",
                _t("Instant Noodles|Cup Noodles|Hakka Noodles|Penne Pasta|Macaroni|Spaghetti"),
                _t("Masala|Chicken|Veg|Atta|Cheese|Schezwan"),
                _t("70 g|280 g|500 g"),
                (14, 250),
            ),
            Sub(
                "Soups",
                _t("Instant Soup|Cup Soup|Soup Mix"),
                _t("Tomato|Sweet Corn|Hot & Sour|Manchow|Mushroom"),
                _t("1 pc|4 pcs|50 g"),
                (20, 150),
            ),
        ),
    ),
    Top(
        "Health & Wellness",
        _t("VitaLife|Ayur Care|Pure Nutrition"),
        "Everyday wellbeing, no prescription needed.",
        (
            Sub(
                "Health Drinks",
                _t("Health Drink|Protein Powder|Malt Drink|Chyawanprash"),
                _t("|Chocolate|Vanilla|Kesar|Elaichi"),
                _t("200 g|500 g|1 kg"),
                (150, 1800),
            ),
            Sub(
                "Supplements",
                _t("Multivitamin|Vitamin C|Vitamin D3|Omega-3|Calcium|Zinc"),
                _t("|Effervescent|Chewable|Capsules"),
                _t("30 pcs|60 pcs|10 pcs"),
                (120, 900),
            ),
            Sub(
                "First Aid",
                _t(
                    "Bandages|Antiseptic Liquid|Cotton Wool|Pain Relief Balm|Hand Sanitiser|Thermometer"
                ),
                _t("|Waterproof|Herbal"),
                _t("1 pc|100 ml|20 pcs"),
                (30, 350),
            ),
        ),
    ),
    Top(
        "Stationery",
        _t("Write Right|Classmate Pro|Inkwell"),
        "For homework emergencies.",
        (
            Sub(
                "Writing",
                _t("Ball Pens|Gel Pens|Pencils|Highlighters|Markers|Erasers"),
                _t("Blue|Black|Assorted|Neon"),
                _t("1 pc|5 pcs|10 pcs"),
                (10, 200),
            ),
            Sub(
                "Paper",
                _t("Notebook|Sticky Notes|A4 Paper|Drawing Book"),
                _t("|Ruled|Plain"),
                _t("1 pc|100 sheets|5 pcs"),
                (30, 400),
            ),
        ),
    ),
    Top(
        "Home Baking",
        _t("Bake Joy|Flour Power|Sweet Oven"),
        "Everything for the home baker.",
        (
            Sub(
                "Baking Essentials",
                _t(
                    "Baking Powder|Baking Soda|Yeast|Cocoa Powder|Vanilla Essence|Custard Powder|Icing Sugar|Cornflour"
                ),
                _t("|Premium"),
                _t("50 g|100 g|500 g"),
                (30, 350),
            ),
        ),
    ),
)
