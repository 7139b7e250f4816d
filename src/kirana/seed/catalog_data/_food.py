"""The demo catalog's first top-level categories (fresh food and pantry)."""

from __future__ import annotations

from kirana.seed.catalog_data._shapes import Sub, Top, _t

FOOD: tuple[Top, ...] = (
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
                (60, 390),
            ),
            Sub(
                "Fresh Vegetables",
                _t(
                    "Tomatoes|Onions|Potatoes|Carrots|Cucumbers|Capsicum|Cauliflower|Cabbage|Spinach|Okra|Brinjal|Beans|Peas|Beetroot"
                ),
                _t("|Organic|Farm"),
                _t("250 g|500 g|1 kg"),
                (30, 180),
            ),
            Sub(
                "Herbs & Seasonings",
                _t("Coriander|Mint|Curry Leaves|Ginger|Garlic|Green Chillies|Lemons|Dill|Basil"),
                _t("|Organic"),
                _t("100 g|200 g|1 bunch"),
                (15, 120),
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
                (42, 210),
            ),
            Sub(
                "Curd & Yogurt",
                _t("Curd|Greek Yogurt|Set Yogurt|Lassi|Buttermilk|Shrikhand"),
                _t("|Mango|Strawberry|Plain|Low Fat"),
                _t("200 g|400 g|1 kg"),
                (38, 240),
            ),
            Sub(
                "Butter, Cheese & Paneer",
                _t("Butter|Cheese Slices|Cheese Block|Mozzarella|Paneer|Cream Cheese|Ghee"),
                _t("|Salted|Unsalted|Garlic"),
                _t("100 g|200 g|500 g"),
                (75, 900),
            ),
            Sub(
                "Eggs",
                _t("Eggs|Brown Eggs|Free-Range Eggs|Omega Eggs"),
                _t("|Farm"),
                _t("6 pcs|12 pcs|30 pcs"),
                (68, 525),
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
                (45, 270),
            ),
            Sub(
                "Cakes & Muffins",
                _t("Muffins|Cup Cakes|Tea Cake|Brownies|Swiss Roll|Fruit Cake"),
                _t("Chocolate|Vanilla|Banana|Red Velvet|Blueberry"),
                _t("2 pcs|4 pcs|250 g"),
                (60, 450),
            ),
            Sub(
                "Rusks & Toast",
                _t("Rusk|Toast|Khari|Bread Sticks"),
                _t("|Suji|Elaichi|Milk"),
                _t("200 g|300 g|500 g"),
                (45, 225),
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
                (30, 180),
            ),
            Sub(
                "Namkeen",
                _t("Bhujia|Mixture|Moong Dal|Chana Dal|Khatta Meetha|Peanuts|Sev"),
                _t("|Spicy|Classic"),
                _t("150 g|200 g|400 g"),
                (45, 270),
            ),
            Sub(
                "Biscuits & Cookies",
                _t("Cookies|Cream Biscuits|Digestive Biscuits|Marie Biscuits|Crackers|Wafers"),
                _t("Chocolate|Butter|Cashew|Oat|Coconut|Orange"),
                _t("75 g|150 g|300 g"),
                (15, 225),
            ),
            Sub(
                "Nuts & Dry Fruits",
                _t("Almonds|Cashews|Raisins|Walnuts|Pistachios|Dates|Trail Mix|Figs"),
                _t("|Roasted|Salted|Premium"),
                _t("100 g|200 g|500 g"),
                (135, 1350),
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
                (30, 390),
            ),
            Sub(
                "Juices",
                _t(
                    "Orange Juice|Apple Juice|Mixed Fruit Juice|Guava Nectar|Mango Drink|Pomegranate Juice|Coconut Water"
                ),
                _t("|No Added Sugar|Cold Pressed"),
                _t("200 ml|1 L"),
                (30, 330),
            ),
            Sub(
                "Water",
                _t("Mineral Water|Sparkling Water|Alkaline Water"),
                _t("|Lime|Natural"),
                _t("500 ml|1 L|5 L"),
                (15, 180),
            ),
            Sub(
                "Energy & Sports Drinks",
                _t("Energy Drink|Sports Drink|Electrolyte Drink|Protein Shake"),
                _t("|Berry|Citrus|Chocolate"),
                _t("250 ml|500 ml"),
                (60, 270),
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
                (52, 675),
            ),
            Sub(
                "Rice",
                _t("Basmati Rice|Sona Masoori Rice|Brown Rice|Kolam Rice|Poha|Idli Rice"),
                _t("|Premium|Aged|Everyday"),
                _t("1 kg|5 kg"),
                (90, 1350),
            ),
            Sub(
                "Dals & Pulses",
                _t("Toor Dal|Moong Dal|Masoor Dal|Chana Dal|Urad Dal|Rajma|Kabuli Chana|Lobia"),
                _t("|Unpolished|Organic"),
                _t("500 g|1 kg"),
                (90, 390),
            ),
            Sub(
                "Oils & Ghee",
                _t("Sunflower Oil|Mustard Oil|Groundnut Oil|Rice Bran Oil|Olive Oil|Coconut Oil"),
                _t("|Cold Pressed|Refined"),
                _t("500 ml|1 L|5 L"),
                (135, 2100),
            ),
            Sub(
                "Salt, Sugar & Spices",
                _t(
                    "Salt|Sugar|Jaggery|Turmeric Powder|Chilli Powder|Coriander Powder|Garam Masala|Cumin Seeds"
                ),
                _t("|Organic|Premium"),
                _t("100 g|500 g|1 kg"),
                (30, 450),
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
                (60, 375),
            ),
            Sub(
                "Batteries & Bulbs",
                _t("AA Batteries|AAA Batteries|LED Bulb|Tube Light|Night Lamp"),
                _t("|Long Life|Warm White|Cool White"),
                _t("2 pcs|4 pcs|1 pc"),
                (60, 600),
            ),
            Sub(
                "Pooja Needs",
                _t("Agarbatti|Camphor|Diya|Cotton Wicks|Dhoop Sticks"),
                _t("|Sandalwood|Rose|Jasmine"),
                _t("1 pack|50 pcs|100 g"),
                (30, 225),
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
                (60, 900),
            ),
            Sub(
                "Dishwash",
                _t("Dishwash Liquid|Dishwash Bar|Dishwasher Tablets|Scrub Pads"),
                _t("|Lemon|Lime|Anti-Bacterial"),
                _t("250 ml|500 ml|3 pcs"),
                (30, 750),
            ),
            Sub(
                "Surface Cleaners",
                _t("Floor Cleaner|Toilet Cleaner|Glass Cleaner|Kitchen Cleaner|Disinfectant Spray"),
                _t("|Pine|Citrus|Floral"),
                _t("500 ml|1 L"),
                (90, 600),
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
                (45, 675),
            ),
            Sub(
                "Hair Care",
                _t("Shampoo|Conditioner|Hair Oil|Hair Serum|Hair Mask"),
                _t("Anti-Dandruff|Smooth|Coconut|Onion|Argan"),
                _t("180 ml|340 ml|650 ml"),
                (135, 1050),
            ),
            Sub(
                "Oral Care",
                _t("Toothpaste|Toothbrush|Mouthwash|Dental Floss"),
                _t("|Mint|Herbal|Sensitive|Charcoal"),
                _t("100 g|150 g|2 pcs"),
                (45, 375),
            ),
            Sub(
                "Skin Care",
                _t("Face Wash|Moisturiser|Sunscreen|Lip Balm|Face Cream"),
                _t("|SPF 50|Vitamin C|Hydrating|Oil Control"),
                _t("50 ml|100 ml|50 g"),
                (135, 900),
            ),
        ),
    ),
)
