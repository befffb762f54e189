#include "client/views/theme.h"

#include <QApplication>
#include <QFont>

namespace Theme {

void apply(QApplication &application)
{
    QFont font = application.font();
    font.setPointSize(16);
    application.setFont(font);
    application.setStyleSheet(QStringLiteral(
        "QWidget { background: #101418; color: #f4f6f8; }"
        "QPushButton { background: #1f6feb; color: white; border: 2px solid #f4f6f8; border-radius: 8px;"
        "  min-height: 64px; min-width: 96px; padding: 6px 14px; font-weight: bold; }"
        "QPushButton:pressed { background: #0b3d91; }"
        "QPushButton:disabled { background: #3a3f44; color: #9aa0a6; }"
        "QPushButton[role=\"danger\"] { background: #b3261e; }"
        "QPushButton[role=\"secondary\"] { background: #2d333b; }"
        "QPushButton#cameraButton { background: #2d333b; }"
        "QPushButton#cameraButton:checked { background: #238636; }"
        "QLineEdit, QSpinBox, QComboBox { background: #f4f6f8; color: #101418; min-height: 56px;"
        "  border: 2px solid #8b949e; border-radius: 6px; padding: 4px 8px; font-size: 20pt; }"
        "QTableView { background: #161b22; alternate-background-color: #1c232c; gridline-color: #30363d;"
        "  selection-background-color: #1f6feb; font-size: 15pt; }"
        "QHeaderView::section { background: #2d333b; color: #f4f6f8; padding: 6px; border: none; }"
        "QLabel#prompt { font-size: 22pt; font-weight: bold; }"
        "QLabel#bigLocation { font-size: 40pt; font-weight: bold; color: #ffd33d; }"
        "QLabel#bigItem { font-size: 20pt; }"
        "QLabel#bigQuantity { font-size: 32pt; font-weight: bold; }"
        "QLabel#title { font-size: 20pt; font-weight: bold; color: #79c0ff; }"
        "QStatusBar { background: #0d1117; color: #f4f6f8; font-size: 11pt; }"
        "QStatusBar QLabel { padding: 0 4px; font-size: 11pt; }"));
}

} // namespace Theme
