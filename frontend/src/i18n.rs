//! Every string of the interface, in Vietnamese (the default), English and Japanese, and how a
//! page's language is chosen. Names of stops and routes are not here: they come translated from
//! the API (`?lang=`, from the feed's `translations.txt`).
//!
//! A language is picked, first match wins: `?lang=` in the URL, the `lang` cookie (set whenever
//! `?lang=` is given, so the choice is remembered and the server renders the next page in it),
//! the browser's `Accept-Language` (negotiated by the server), Vietnamese.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    Vi,
    En,
    Ja,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Vi, Lang::En, Lang::Ja];

    /// The BCP 47 tag (also the API's `lang=` value and the cookie's).
    pub fn code(self) -> &'static str {
        match self {
            Lang::Vi => "vi",
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }

    /// A tag as sent by a user (`en`, `EN`, `en-GB`); `None` for other languages.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// The language's own name, for the switch.
    pub fn endonym(self) -> &'static str {
        match self {
            Lang::Vi => "Tiếng Việt",
            Lang::En => "English",
            Lang::Ja => "日本語",
        }
    }
}

/// Name of the cookie that remembers the language.
pub const COOKIE: &str = "lang";

/// The `lang` cookie's value in a `Cookie` header (`a=1; lang=en`), when it names a language.
pub fn from_cookie_header(header: &str) -> Option<Lang> {
    header
        .split(';')
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .and_then(|(_, value)| Lang::parse(value))
}

/// The `Set-Cookie` value (or `document.cookie` assignment) remembering `lang` for a year.
pub fn cookie(lang: Lang) -> String {
    format!(
        "{COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )
}

/// Picks the language: the URL's `?lang=`, else the cookie, else what the browser prefers.
pub fn choose(query: Option<&str>, cookie_header: Option<&str>, preferred: Option<Lang>) -> Lang {
    query
        .and_then(Lang::parse)
        .or_else(|| cookie_header.and_then(from_cookie_header))
        .or(preferred)
        .unwrap_or_default()
}

macro_rules! keys {
    ($($key:ident => [$vi:expr, $en:expr, $ja:expr],)*) => {
        /// One string of the interface.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Key { $($key,)* }

        impl Key {
            pub const ALL: &'static [Key] = &[$(Key::$key,)*];
        }

        /// `key` in `lang`.
        pub fn t(lang: Lang, key: Key) -> &'static str {
            let [vi, en, ja] = match key { $(Key::$key => [$vi, $en, $ja],)* };
            match lang {
                Lang::Vi => vi,
                Lang::En => en,
                Lang::Ja => ja,
            }
        }
    };
}

// The table: one line per string, the three languages side by side.
keys! {
    // Only when no server says the site's name (`crate::site_name`): no agency's brand.
    AppName => ["Thông tin xe buýt", "Bus information", "バス情報"],
    SkipToContent => ["Đến nội dung chính", "Skip to content", "本文へ移動"],
    Language => ["Ngôn ngữ", "Language", "言語"],
    Home => ["Trang chủ", "Home", "ホーム"],
    SearchLabel => ["Tìm trạm dừng", "Find a stop", "停留所を検索"],
    SearchPlaceholder => ["Tên hoặc mã trạm, ví dụ: bến xe", "Stop name or code, e.g. ben xe", "停留所名またはコード(例: ben xe)"],
    SearchButton => ["Tìm", "Search", "検索"],
    SearchResults => ["Kết quả tìm kiếm", "Search results", "検索結果"],
    NoStopsFound => ["Không tìm thấy trạm nào.", "No stops found.", "停留所が見つかりません。"],
    NearMe => ["Trạm gần tôi", "Stops near me", "近くの停留所"],
    Locating => ["Đang xác định vị trí…", "Finding your location…", "現在地を取得中…"],
    LocationDenied => ["Bạn đã từ chối chia sẻ vị trí. Hãy cho phép trong cài đặt trình duyệt, hoặc tìm theo tên trạm.", "Location access was refused. Allow it in your browser settings, or search by stop name.", "位置情報の利用が拒否されました。ブラウザーの設定で許可するか、停留所名で検索してください。"],
    LocationUnavailable => ["Không xác định được vị trí. Hãy thử lại, hoặc tìm theo tên trạm.", "Your location is not available. Try again, or search by stop name.", "現在地を取得できません。もう一度試すか、停留所名で検索してください。"],
    NoStopsNearby => ["Không có trạm nào trong vòng 1 km.", "No stops within 1 km.", "1 km 以内に停留所はありません。"],
    Favourites => ["Trạm yêu thích", "Favourite stops", "お気に入りの停留所"],
    NoFavourites => ["Chưa có trạm yêu thích. Nhấn ☆ trên trang trạm để thêm.", "No favourites yet. Press ☆ on a stop's page to add one.", "お気に入りはまだありません。停留所のページで ☆ を押して追加します。"],
    AddFavourite => ["Thêm vào yêu thích", "Add to favourites", "お気に入りに追加"],
    RemoveFavourite => ["Bỏ khỏi yêu thích", "Remove from favourites", "お気に入りから削除"],
    Departures => ["Chuyến sắp đến", "Next departures", "次の発車"],
    NoDepartures => ["Không có chuyến nào trong 60 phút tới.", "No departures in the next 60 minutes.", "今後 60 分間の発車はありません。"],
    Route => ["Tuyến", "Route", "系統"],
    Destination => ["Hướng đi", "Destination", "行き先"],
    Departs => ["Khởi hành", "Departs", "発車"],
    Status => ["Trạng thái", "Status", "状態"],
    Live => ["Trực tiếp", "Live", "リアルタイム"],
    Scheduled => ["Theo lịch", "Timetable", "時刻表"],
    Cancelled => ["Đã hủy", "Cancelled", "運休"],
    Skipped => ["Không dừng tại đây", "Not stopping here", "通過"],
    Due => ["Sắp đến", "Due", "まもなく"],
    Late => ["trễ", "late", "遅れ"],
    Early => ["sớm", "early", "早着"],
    Alerts => ["Thông báo", "Alerts", "運行情報"],
    DegradedBanner => ["Mất dữ liệu trực tiếp: đang hiển thị giờ theo lịch.", "Live data is unavailable: showing the timetable.", "リアルタイム情報が途絶えています: 時刻表を表示しています。"],
    UnavailableBanner => ["Trạm này chưa có dữ liệu trực tiếp: giờ theo lịch.", "No live data for this stop: timetable times.", "この停留所にはリアルタイム情報がありません: 時刻表の時刻です。"],
    StaleBanner => ["Dữ liệu trực tiếp đã cũ", "Live data is old", "リアルタイム情報が古くなっています"],
    ConnectionLost => ["Mất kết nối, đang kết nối lại… Giờ có thể chưa cập nhật.", "Connection lost, reconnecting… Times may be out of date.", "接続が切れました。再接続中… 時刻が古い可能性があります。"],
    UpdatedAt => ["Cập nhật lúc", "Updated at", "更新時刻"],
    StopCode => ["Mã trạm", "Stop code", "停留所コード"],
    NotFoundTitle => ["Không tìm thấy", "Not found", "見つかりません"],
    NotFoundText => ["Không có trang hoặc trạm dừng này. Hãy tìm trạm từ trang chủ.", "There is no such page or stop. Find your stop from the home page.", "そのページまたは停留所はありません。ホームから停留所を探してください。"],
    LoadError => ["Không tải được dữ liệu. Hãy thử lại.", "Could not load the data. Please try again.", "データを読み込めませんでした。もう一度お試しください。"],
    Loading => ["Đang tải…", "Loading…", "読み込み中…"],
    // Route pages and maps
    MainNav => ["Điều hướng chính", "Main", "メインメニュー"],
    NavStops => ["Trạm", "Stops", "停留所"],
    NavRoutes => ["Tuyến", "Routes", "路線"],
    NavMap => ["Bản đồ", "Map", "路線図"],
    NavAlerts => ["Thông báo", "Alerts", "運行情報"],
    RoutesTitle => ["Các tuyến xe buýt", "Bus routes", "バス路線一覧"],
    NoRoutes => ["Chưa có tuyến nào.", "No routes yet.", "路線はまだありません。"],
    RouteMapLabel => ["Bản đồ tuyến", "Route map", "路線図"],
    NetworkTitle => ["Bản đồ mạng lưới", "Network map", "路線ネットワーク図"],
    NetworkMapLabel => ["Bản đồ tất cả các tuyến và xe", "Map of all routes and buses", "全路線とバスの地図"],
    StopsAndArrivals => ["Trạm và chuyến sắp đến", "Stops and next arrivals", "停留所と次の到着"],
    Towards => ["Hướng", "Towards", "行き先"],
    NoArrivals => ["Không có chuyến trong 2 giờ tới", "No buses in the next 2 hours", "今後 2 時間はバスがありません"],
    BusesNow => ["Xe đang chạy", "Buses running", "運行中のバス"],
    NoBusesNow => ["Hiện không có xe nào được theo dõi trên tuyến này.", "No buses are being tracked on this route now.", "この路線で現在追跡中のバスはありません。"],
    Bus => ["Xe", "Bus", "バス"],
    NextStop => ["trạm kế", "next stop", "次の停留所"],
    MapLegend => ["Chú giải: đường màu là lộ trình, chấm tròn là trạm, mũi tên là xe buýt (hướng đi).", "Key: the coloured line is the route, dots are stops, arrows are buses (pointing where they go).", "凡例: 色の線は経路、丸は停留所、矢印はバス(進行方向)です。"],
    AlertsTitle => ["Thông báo vận hành", "Service alerts", "運行情報"],
    NoAlerts => ["Hiện không có thông báo nào. Các tuyến đang chạy bình thường.", "No alerts right now. Services are running normally.", "現在、運行情報はありません。平常どおり運行しています。"],
    SeveritySevere => ["Nghiêm trọng", "Severe", "重大"],
    SeverityWarning => ["Cảnh báo", "Warning", "注意"],
    SeverityInfo => ["Thông tin", "Information", "お知らせ"],
    AffectedRoutes => ["Tuyến bị ảnh hưởng", "Routes affected", "対象路線"],
    AffectedStops => ["Trạm bị ảnh hưởng", "Stops affected", "対象停留所"],
    ActiveFrom => ["Từ", "From", "から"],
    ActiveUntil => ["đến", "until", "まで"],
    UntilFurtherNotice => ["Cho đến khi có thông báo mới", "Until further notice", "別途お知らせするまで"],
    MoreInfo => ["Thêm thông tin", "More information", "詳細"],
    // Stop display setup (/displays/new)
    ShowOnDisplay => ["Hiển thị trên màn hình trạm", "Show on a display", "停留所ディスプレイに表示"],
    DisplaySetupTitle => ["Thiết lập màn hình trạm", "Set up a stop display", "停留所ディスプレイの設定"],
    DisplayStops => ["Trạm hiển thị", "Stops shown", "表示する停留所"],
    NoStopsChosen => ["Chưa chọn trạm nào. Hãy tìm và thêm một trạm.", "No stop chosen yet. Search for one and add it.", "停留所がまだ選ばれていません。検索して追加してください。"],
    UnknownStop => ["không có trạm này", "no such stop", "存在しない停留所"],
    AddStopLabel => ["Thêm trạm", "Add a stop", "停留所を追加"],
    AddStop => ["Thêm", "Add", "追加"],
    RemoveStop => ["Bỏ", "Remove", "削除"],
    DisplayRoutes => ["Tuyến hiển thị", "Routes shown", "表示する系統"],
    AllRoutesHint => ["Không chọn tuyến nào: hiển thị mọi tuyến.", "None ticked: every route is shown.", "未選択ならすべての系統を表示します。"],
    DisplayOptions => ["Tùy chọn màn hình", "Display options", "表示の設定"],
    DisplayLanguage => ["Ngôn ngữ màn hình", "Display language", "表示言語"],
    DisplayLimit => ["Số chuyến tối đa (1–50)", "Most departures listed (1–50)", "最大表示件数(1–50)"],
    LedWidth => ["Độ rộng dòng của bảng LED (16–80 ký tự)", "LED sign line width (16–80 characters)", "LED 表示器の行幅(16–80 文字)"],
    LedAscii => ["Bảng LED: viết không dấu", "LED sign: no Vietnamese diacritics", "LED 表示器: ベトナム語の声調記号なし"],
    UpdateUrl => ["Cập nhật địa chỉ", "Update the URL", "URL を更新"],
    DisplayUrl => ["Địa chỉ màn hình", "Display URL", "ディスプレイの URL"],
    Copy => ["Sao chép", "Copy", "コピー"],
    Copied => ["Đã sao chép.", "Copied.", "コピーしました。"],
    OpenDisplay => ["Mở màn hình", "Open the display", "ディスプレイを開く"],
    LedSigns => ["Bảng LED: dữ liệu JSON và văn bản", "LED signs: JSON and text", "LED 表示器: JSON とテキスト"],
    Preview => ["Xem trước", "Preview", "プレビュー"],
    // Operator console
    OpFooterLink => ["Dành cho nhà vận hành", "For operators", "事業者向け"],
    OpTitle => ["Bảng điều khiển nhà vận hành", "Operator console", "事業者コンソール"],
    OpSignIn => ["Đăng nhập", "Sign in", "サインイン"],
    OpSignOut => ["Đăng xuất", "Sign out", "サインアウト"],
    OpToken => ["Mã truy cập (token)", "Access token", "アクセストークン"],
    OpTokenHint => ["Mã chỉ được giữ trong thẻ trình duyệt này và bị quên khi đóng thẻ.", "The token is kept in this browser tab only, and forgotten when the tab closes.", "トークンはこのタブにのみ保存され、タブを閉じると消去されます。"],
    OpFeed => ["Nguồn dữ liệu lịch trình (feed)", "Schedule feed", "時刻表フィード"],
    OpNeedsScript => ["Bảng điều khiển cần JavaScript: hãy chờ trang tải xong.", "The console needs JavaScript: wait for the page to finish loading.", "コンソールには JavaScript が必要です。読み込みが終わるまでお待ちください。"],
    OpChecking => ["Đang kiểm tra…", "Checking…", "確認中…"],
    OpWrongToken => ["Mã truy cập không đúng hoặc đã bị thu hồi. Hãy dán lại toàn bộ mã (bắt đầu bằng rtpi_).", "This token is not valid or has been revoked. Paste the whole token again (it starts with rtpi_).", "トークンが無効か、取り消されています。トークン全体(rtpi_ で始まる)をもう一度貼り付けてください。"],
    OpForbiddenFeed => ["Mã này thuộc nhà vận hành của feed khác, không được quản lý feed này. Chọn đúng feed của bạn, hoặc dùng mã của feed này.", "This token belongs to another feed's operator and may not manage this feed. Pick your own feed, or use this feed's token.", "このトークンは別のフィードの事業者のもので、このフィードは管理できません。自分のフィードを選ぶか、このフィードのトークンを使ってください。"],
    OpManaging => ["Đang quản lý", "Managing", "管理中"],
    OpUpload => ["Tải lên GTFS", "Upload a GTFS feed", "GTFS をアップロード"],
    OpFile => ["Tệp GTFS (.zip)", "GTFS file (.zip)", "GTFS ファイル (.zip)"],
    OpValidateOnly => ["Chỉ kiểm tra (không lưu)", "Validate only (keep nothing)", "検証のみ(保存しない)"],
    OpUploadButton => ["Tải lên và kiểm tra", "Upload and validate", "アップロードして検証"],
    OpUploading => ["Đang tải lên", "Uploading", "アップロード中"],
    OpServerChecking => ["Đã tải lên; máy chủ đang kiểm tra…", "Uploaded; the server is checking it…", "アップロード完了。サーバーで検証中…"],
    OpNoFile => ["Hãy chọn một tệp .zip trước.", "Choose a .zip file first.", "先に .zip ファイルを選んでください。"],
    OpStored => ["Hợp lệ, đã lưu thành phiên bản", "Valid; stored as version", "有効。保存したバージョン:"],
    OpChecked => ["Chỉ kiểm tra, không lưu gì:", "Validated only, nothing kept:", "検証のみ(保存なし):"],
    OpValid => ["hợp lệ.", "valid.", "有効です。"],
    OpInvalid => ["có lỗi.", "has errors.", "エラーがあります。"],
    OpRefused => ["Bị từ chối: dữ liệu có lỗi nên không có gì được lưu. Sửa các lỗi dưới đây rồi tải lên lại.", "Refused: the feed has errors, so nothing was kept. Fix the errors below and upload again.", "拒否されました: エラーがあるため何も保存されていません。下のエラーを直して、もう一度アップロードしてください。"],
    OpReport => ["Báo cáo kiểm tra", "Validation report", "検証レポート"],
    OpSeverity => ["Mức độ", "Severity", "重大度"],
    OpFileColumn => ["Tệp", "File", "ファイル"],
    OpLine => ["Dòng", "Line", "行"],
    OpProblem => ["Vấn đề", "What is wrong", "問題"],
    OpFix => ["Cách sửa", "How to fix it", "修正方法"],
    OpError => ["Lỗi", "Error", "エラー"],
    OpWarning => ["Cảnh báo", "Warning", "警告"],
    OpErrors => ["Số lỗi", "Errors", "エラー数"],
    OpWarnings => ["Số cảnh báo", "Warnings", "警告数"],
    OpWholeFeed => ["(cả feed)", "(whole feed)", "(フィード全体)"],
    OpNotListed => ["không liệt kê thêm", "more not listed", "件は省略"],
    OpNoFindings => ["Không có lỗi hay cảnh báo nào.", "No errors or warnings.", "エラーも警告もありません。"],
    OpVersions => ["Các phiên bản", "Versions", "バージョン"],
    OpNoVersions => ["Chưa có phiên bản nào được tải lên.", "No versions uploaded yet.", "アップロードされたバージョンはまだありません。"],
    OpVersion => ["Phiên bản", "Version", "版"],
    OpUploaded => ["Tải lên lúc, bởi", "Uploaded (when, by)", "アップロード(日時・担当)"],
    OpSize => ["Dung lượng", "Size", "サイズ"],
    OpValidity => ["Ngày có chuyến", "Service dates", "運行期間"],
    OpActions => ["Thao tác", "Actions", "操作"],
    OpStateValidated => ["Đã kiểm tra", "Validated", "検証済み"],
    OpStateScheduled => ["Đã hẹn giờ", "Scheduled", "予約済み"],
    OpStateActive => ["Đang dùng", "Active", "使用中"],
    OpStateRetired => ["Đã thôi dùng", "Retired", "使用終了"],
    OpActivateNow => ["Kích hoạt ngay", "Activate now", "今すぐ有効化"],
    OpActivateAt => ["Hẹn giờ kích hoạt…", "Activate at…", "日時を指定して有効化…"],
    OpRollback => ["Quay về phiên bản trước", "Roll back to the previous version", "前のバージョンに戻す"],
    OpDelete => ["Xóa", "Delete", "削除"],
    OpConfirm => ["Xác nhận", "Confirm", "確定"],
    OpCancel => ["Thôi", "Cancel", "やめる"],
    OpConfirmActivate => ["Kích hoạt phiên bản này ngay? Bảng giờ và dữ liệu trực tiếp chuyển sang nó tức thì.", "Activate this version now? Boards and realtime switch to it at once.", "このバージョンを今すぐ有効にしますか? 発車案内とリアルタイム情報がすぐに切り替わります。"],
    OpConfirmSchedule => ["Chọn lúc phiên bản này bắt đầu được dùng.", "Choose when this version becomes active.", "このバージョンを有効にする日時を選んでください。"],
    OpConfirmRollback => ["Dùng lại phiên bản đang dùng trước đó, ngay bây giờ?", "Serve the previously active version again, now?", "以前使用していたバージョンに今すぐ戻しますか?"],
    OpConfirmDelete => ["Xóa phiên bản này và tệp của nó? Không thể hoàn tác.", "Delete this version and its stored zip? This cannot be undone.", "このバージョンと保存された zip を削除しますか? 元に戻せません。"],
    OpWhen => ["Ngày giờ", "Date and time", "日時"],
    OpTimeZone => ["Giờ theo múi giờ của feed", "In the feed's time zone", "フィードのタイムゾーンの時刻"],
    OpPickTime => ["Hãy chọn ngày và giờ.", "Pick a date and a time.", "日付と時刻を選んでください。"],
    OpActivated => ["Đã kích hoạt phiên bản", "Activated version", "有効化したバージョン:"],
    OpScheduledFor => ["Đã hẹn giờ kích hoạt phiên bản", "Scheduled version", "有効化を予約したバージョン:"],
    OpRolledBack => ["Đã quay về phiên bản", "Rolled back to version", "戻したバージョン:"],
    OpDeleted => ["Đã xóa phiên bản", "Deleted version", "削除したバージョン:"],
    OpHealth => ["Tình trạng dữ liệu trực tiếp", "Realtime feed health", "リアルタイムフィードの状態"],
    OpNoRealtime => ["Chưa cấu hình nguồn dữ liệu trực tiếp nào.", "No realtime sources are configured.", "リアルタイムのソースは設定されていません。"],
    OpSource => ["Nguồn", "Source", "ソース"],
    OpLastFetch => ["Lần nhận cuối", "Last fetch", "最終取得"],
    OpAge => ["Độ cũ", "Age", "経過時間"],
    OpTracked => ["Xe đang theo dõi", "Vehicles tracked", "追跡中の車両"],
    OpMatched => ["Xe khớp chuyến", "Matched to trips", "便に一致"],
    OpFindings => ["Phát hiện", "Findings", "検出事項"],
    OpNever => ["Chưa có", "Never", "なし"],
    OpNone => ["Không có", "None", "なし(0件)"],
    OpFailing => ["Đang lỗi từ", "Failing since", "障害発生時刻"],
    OpHealthNote => ["Tự làm mới mỗi 15 giây.", "Refreshes by itself every 15 seconds.", "15秒ごとに自動更新します。"],
    OpActivity => ["Nhật ký thao tác", "Activity", "操作履歴"],
    OpActivityNote => ["20 thao tác gần nhất trên nguồn dữ liệu này, kể cả các lần bị từ chối.", "The latest 20 actions on this feed, refusals included.", "このフィードに対する直近 20 件の操作(拒否されたものを含む)。"],
    OpNoActivity => ["Chưa có thao tác nào.", "Nothing done yet.", "操作はまだありません。"],
    // Operator console: riders' problem reports.
    OpReports => ["Phản ánh của hành khách", "Riders' reports", "利用者からの報告"],
    OpReportsNote => ["Hành khách gửi qua các ứng dụng OneBusAway, mới nhất trước (tối đa 200).", "Sent by riders from OneBusAway apps, newest first (at most 200).", "OneBusAway アプリから利用者が送った報告。新しい順(最大 200 件)。"],
    OpNoReports => ["Chưa có phản ánh nào.", "No reports yet.", "報告はまだありません。"],
    OpAbout => ["Về", "About", "対象"],
    OpComment => ["Nội dung", "Comment", "コメント"],
    OpRiderAt => ["Hành khách ở", "Rider at", "利用者の位置"],
    OpProblemStopName => ["Tên trạm sai", "The stop's name is wrong", "停留所名が違う"],
    OpProblemStopNumber => ["Mã trạm sai", "The stop's number is wrong", "停留所番号が違う"],
    OpProblemStopLocation => ["Vị trí trạm sai", "The stop is in the wrong place", "停留所の位置が違う"],
    OpProblemRouteMissing => ["Thiếu tuyến hoặc chuyến", "A route or trip is missing", "路線または便がない"],
    OpProblemNeverCame => ["Xe không đến", "The bus never came", "バスが来なかった"],
    OpProblemEarly => ["Xe đến sớm", "The bus came early", "バスが早く来た"],
    OpProblemLate => ["Xe đến trễ", "The bus came late", "バスが遅れて来た"],
    OpProblemHeadsign => ["Biển hướng đi sai", "Wrong destination sign", "行先表示が違う"],
    OpProblemNoStop => ["Xe không dừng ở trạm này", "The bus does not stop here", "バスがここに停まらない"],
    OpProblemOther => ["Khác", "Other", "その他"],
    OpAt => ["Lúc", "When", "日時"],
    OpWho => ["Người thực hiện", "Who", "実行者"],
    OpAction => ["Thao tác", "Action", "操作"],
    OpOutcome => ["Kết quả", "Outcome", "結果"],
    OpDone => ["Xong", "Done", "完了"],
    OpRefusedAs => ["Bị từ chối", "Refused", "拒否"],
    OpActUpload => ["Tải lên", "Upload", "アップロード"],
    OpActValidate => ["Kiểm tra", "Validation", "検証"],
    OpActActivate => ["Kích hoạt", "Activation", "有効化"],
    OpActSchedule => ["Hẹn giờ kích hoạt", "Scheduled activation", "有効化の予約"],
    OpActRollback => ["Quay về", "Rollback", "ロールバック"],
    OpActDelete => ["Xóa", "Deletion", "削除"],
    OpActList => ["Xem danh sách phiên bản", "Version list", "バージョン一覧の表示"],
    // Stations and bays; one truth about staleness
    Bay => ["Bến", "Bay", "のりば"],
    StationBays => ["Các bến của trạm", "Bays of the station", "この停留所ののりば"],
    Estimate => ["Ước tính", "Estimate", "推定"],
    StaleLine => ["Ước tính, dữ liệu cũ", "Estimate, old data", "推定・古い情報"],
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_a_text_in_every_language() {
        for key in Key::ALL {
            for lang in Lang::ALL {
                let text = t(lang, *key);
                assert!(!text.trim().is_empty(), "{key:?} is empty in {lang:?}");
            }
            // A translation left as the English text is a forgotten one (names excepted).
            assert_ne!(t(Lang::Ja, *key), t(Lang::En, *key), "{key:?}: ja = en");
            assert_ne!(t(Lang::Vi, *key), t(Lang::En, *key), "{key:?}: vi = en");
        }
    }

    #[test]
    fn the_language_comes_from_the_url_then_the_cookie_then_the_browser() {
        assert_eq!(
            choose(Some("en"), Some("lang=ja"), Some(Lang::Vi)),
            Lang::En
        );
        assert_eq!(choose(Some("xx"), Some("a=1; lang=ja"), None), Lang::Ja);
        assert_eq!(choose(None, Some("lang=fr; x=y"), Some(Lang::En)), Lang::En);
        assert_eq!(choose(None, Some("xlang=ja"), None), Lang::Vi);
        assert_eq!(choose(None, None, None), Lang::Vi);
        assert_eq!(Lang::parse("JA-jp"), Some(Lang::Ja));
        assert_eq!(from_cookie_header("lang=EN"), Some(Lang::En));
        assert_eq!(
            cookie(Lang::Ja),
            "lang=ja; Path=/; Max-Age=31536000; SameSite=Lax"
        );
    }
}
